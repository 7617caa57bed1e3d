using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ayalon.Core.Collection;
using Ayalon.Core.Storage;
using Ayalon.DevHost.Cli;
using Ayalon.DevHost.Hosting;

namespace Ayalon.DevHost.Audit;

/// <summary>
/// <c>seed-cycles --days N</c>: writes N days of collection cycles at the 5-minute cadence, ending now, into the
/// configured storage — the real collection cycle against the built-in simulator, on a clock that steps five minutes
/// per cycle — so <c>audit</c> can be measured over a full archive (scripts/audit-benchmark.sh). A development tool:
/// it refuses a table prefix that already holds cycles, so it never mixes invented history into real data.
/// </summary>
public static class SeedCyclesCommand
{
    public const string Name = "seed-cycles";
    private static readonly TimeSpan Cadence = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var days = new Option<int>("--days")
        {
            Description = $"Days of history to write, ending now (1..{RawResponseArchive.RetentionDays}, the raw archive's retention).",
            HelpName = "N",
            Required = true,
            CustomParser = CommandLineRunner.WholeNumber("--days", 1, RawResponseArchive.RetentionDays),
        };
        var command = new Command(Name,
            "Write N days of collection cycles at the 5-minute cadence, ending now, into the configured storage (the real cycle against " +
            "the built-in simulator) so audit can be measured. Needs AzureWebJobsStorage and an empty Storage__TablePrefix.")
        {
            days,
        };
        command.SetAction(result => RunAsync(result.GetValue(days), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> RunAsync(int days, TextWriter stdout, TextWriter stderr)
    {
        var now = TimeProvider.System.GetUtcNow();
        var end = new DateTimeOffset(now.Ticks - now.Ticks % Cadence.Ticks, TimeSpan.Zero);
        var clock = new SteppedClock(end - days * TimeSpan.FromDays(1) + Cadence);
        var overrides = new Dictionary<string, string?>
        {
            ["DevHost:Simulator"] = "true",
            ["DevHost:RunTimers"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var app = await DevHostApp.BuildAsync([], overrides, services => services.AddSingleton<TimeProvider>(clock)).ConfigureAwait(false);
        if ((await app.Services.GetRequiredService<CycleStore>().ReadAsync(DateTimeOffset.UnixEpoch, now.AddYears(1), CancellationToken.None).ConfigureAwait(false)).Count > 0)
        {
            await stderr.WriteLineAsync("seed-cycles: the table prefix already holds cycles; give an empty Storage__TablePrefix.").ConfigureAwait(false);
            return 2;
        }

        var watch = Stopwatch.StartNew();
        var count = 0;
        for (; clock.Now <= end; clock.Now += Cadence, count++)
        {
            await app.Services.GetRequiredService<CollectionCycle>().RunAsync("seed", CancellationToken.None).ConfigureAwait(false);
            if (clock.Now.TimeOfDay == TimeSpan.Zero)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"seed-cycles: {clock.Now:yyyy-MM-dd}, {count} cycles, {watch.Elapsed.TotalSeconds:0} s")).ConfigureAwait(false);
            }
        }
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"seed-cycles: {count} cycles up to {end:yyyy-MM-ddTHH:mm}Z in {watch.Elapsed.TotalSeconds:0.0} s")).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The seeded history's clock: moved by hand, five minutes per cycle (the app and simulator follow it).</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
