using Ayalon.DevHost.Hosting;

namespace Ayalon.DevHost;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.FirstOrDefault() == Simulator.SimulatorCommand.Name) return await Simulator.SimulatorCommand.RunAsync(args);
        if (args.FirstOrDefault() == Bench.BareCommand.Name) return await Bench.BareCommand.RunAsync(args);
        if (args.FirstOrDefault() == Audit.SeedCyclesCommand.Name) return await Audit.SeedCyclesCommand.RunAsync(args[1..], Console.Out, Console.Error);
        if (args.FirstOrDefault() == Audit.AuditCommand.Name) return await Audit.AuditCommand.RunAsync(args[1..], Console.Out, Console.Error);
        if (args.Length > 0 && args[0] == "replay") return await Replay.ReplayCommand.RunAsync(args[1..], Console.Out, Console.Error);
        var app = await DevHostApp.BuildAsync(args);
        await app.StartAsync();
        foreach (var url in app.Urls)
        {
            app.Logger.LogInformation("Ayalon Impact Monitor (DevHost) listening on {Url} — dashboard at {Url}/", url, url.TrimEnd('/'));
        }
        await app.WaitForShutdownAsync();
        return 0;
    }
}
