using System.CommandLine;
using Ayalon.DevHost.Hosting;

namespace Ayalon.DevHost.Cli;

/// <summary>
/// The DevHost's command line: with no command it runs the app (functions, timers, dashboard, simulator); the
/// subcommands are the offline and development tools. Every command answers <c>--help</c>; bad arguments exit 2.
/// </summary>
public static class DevHostCommandLine
{
    public const string Name = "Ayalon.DevHost";

    public static RootCommand Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = $"Address the app listens on (default: the DevHost__Urls setting, else {DevHostApp.DefaultUrl}).",
            HelpName = "URL",
        };
        var root = new RootCommand(
            "Ayalon Impact Monitor DevHost: runs the Functions app's own function classes on Kestrel — HTTP API, timers, " +
            "dashboard and, without provider credentials, the traffic simulator. Settings come from the environment " +
            "(AzureWebJobsStorage, Collector__Schedule, DevHost__*, …).")
        {
            urls,
            Replay.ReplayCommand.Create(),
            Simulator.SimulatorCommand.Create(stopOnSignals: true),
            Audit.AuditCommand.Create(),
            Audit.SeedCyclesCommand.Create(),
            Bench.BareCommand.Create(),
        };
        root.HelpName = Name;
        root.SetAction((result, cancellationToken) => RunHostAsync(result.GetValue(urls), cancellationToken));
        return root;
    }

    public static Task<int> InvokeAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        CommandLineRunner.InvokeAsync(Create(), args, stdout, stderr, cancellationToken);

    private static async Task<int> RunHostAsync(string? urls, CancellationToken cancellationToken)
    {
        var overrides = urls is null ? null : new Dictionary<string, string?> { ["DevHost:Urls"] = urls };
        var app = await DevHostApp.BuildAsync([], overrides, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            foreach (var url in app.Urls)
            {
                app.Logger.LogInformation("Ayalon Impact Monitor (DevHost) listening on {Url} — dashboard at {Url}/", url, url.TrimEnd('/'));
            }
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        return 0;
    }
}
