using System.CommandLine;
using Ayalon.Core;
using Ayalon.Core.Audit;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Storage;
using Ayalon.DevHost.Cli;
using Ayalon.DevHost.Hosting;

namespace Ayalon.DevHost.Audit;

/// <summary>
/// <c>audit [--from &lt;UTC date&gt;] [--to &lt;UTC date&gt;]</c>: recompute every cycle in range from the raw archive and
/// list each difference from the stored observations, hourly rollups and cycle records, one per line, then
/// <c>audit: N cycles, M observations, K hours checked, D differences</c>. Reads the app's own settings
/// (<c>AzureWebJobsStorage</c>, <c>Storage__TablePrefix</c>, <c>Impact__*</c>, <c>Corridor__File</c>, …) from the
/// environment, as the DevHost does; it never writes to storage and never calls a provider.
/// </summary>
/// <remarks>Exit codes: 0 no difference; 1 differences; 2 bad input or storage unreachable (the message on stderr says which).</remarks>
public static class AuditCommand
{
    public const string Name = "audit";
    public const int ExitClean = 0;
    public const int ExitDifferences = 1;
    public const int ExitBadInput = CommandLineRunner.ExitBadArguments;

    /// <summary>Runs <c>audit</c> with the arguments after the command name.</summary>
    /// <param name="args">The arguments after <c>audit</c>.</param>
    /// <param name="overrides">Settings that win over the environment (tests use them).</param>
    /// <param name="time">The clock that sets the default range (tests use a fake one).</param>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        IDictionary<string, string?>? overrides = null, TimeProvider? time = null, CancellationToken cancellationToken = default) =>
        CommandLineRunner.InvokeAsync(Create(overrides, time), args, stdout, stderr, cancellationToken);

    public static Command Create(IDictionary<string, string?>? overrides = null, TimeProvider? time = null)
    {
        // Parsed by AuditRange, the rule POST /api/admin/audit shares (a UTC date, or an ISO 8601 time with its offset).
        var from = new Option<string>("--from") { Description = "Start (UTC date 2026-11-01, or ISO 8601 time with offset). Default: the archive's retention start.", HelpName = "UTC date|time" };
        var to = new Option<string>("--to") { Description = "End (same forms). Default: now.", HelpName = "UTC date|time" };
        var command = new Command(Name,
            "Recompute every cycle in range from the raw archive and list each difference from the stored observations, hourly rollups " +
            "and cycle records. Reads the app's settings (AzureWebJobsStorage, Storage__TablePrefix, Impact__*, …) from the environment; " +
            "never writes. Exit 0 no difference; 1 differences; 2 bad input or storage unreachable.")
        {
            from, to,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(from), result.GetValue(to),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, overrides, time, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? fromText, string? toText, TextWriter stdout, TextWriter stderr,
        IDictionary<string, string?>? overrides, TimeProvider? time, CancellationToken cancellationToken)
    {
        try
        {
            var from = AuditRange.Parse(fromText, "--from");
            var to = AuditRange.Parse(toText, "--to");
            await using var services = Services(overrides, time);
            var report = await services.GetRequiredService<CycleAudit>().RunAsync(from, to, cancellationToken, "--from", "--to").ConfigureAwait(false);
            foreach (var line in report.Lines) await stdout.WriteLineAsync(line).ConfigureAwait(false);
            return report.DifferenceCount == 0 ? ExitClean : ExitDifferences;
        }
        catch (AuditInputException ex)
        {
            await stderr.WriteLineAsync("audit: " + ex.Message).ConfigureAwait(false);
            return ExitBadInput;
        }
        catch (Exception ex) when (ex is CorridorValidationException or ImpactConfigurationException or InvalidOperationException)
        {
            await stderr.WriteLineAsync("audit: configuration: " + ex.Message).ConfigureAwait(false);
            return ExitBadInput;
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            // Never the exception text or the connection string: either may carry the account key.
            await stderr.WriteLineAsync($"audit: Table Storage is unreachable or refused the request ({ex.GetType().Name}); " +
                "check AzureWebJobsStorage and that the storage account (or Azurite) is running.").ConfigureAwait(false);
            return ExitBadInput;
        }
    }

    /// <summary>The app's own service registration over the app's own settings, with the DevHost's defaults.</summary>
    private static ServiceProvider Services(IDictionary<string, string?>? overrides, TimeProvider? time)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables();
        if (overrides is not null) builder.AddInMemoryCollection(overrides);
        var configuration = builder.Build();
        configuration["AzureWebJobsStorage"] ??= "UseDevelopmentStorage=true";
        // The DevHost collects simulated traffic with the synthetic demo volume profile: audit it with the same one.
        if (DevHostApp.ShouldUseSimulator(configuration) && string.IsNullOrWhiteSpace(configuration["Impact:VolumeProfileFile"]))
        {
            configuration["Impact:VolumeProfileFile"] = DevHostApp.SyntheticDemoProfileFile;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        if (time is not null) services.AddSingleton(time);
        services.AddAyalonCore(configuration);
        return services.BuildServiceProvider();
    }
}
