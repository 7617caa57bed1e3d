using System.Globalization;
using System.Runtime.InteropServices;
using Ayalon.Core.Corridor;

namespace Ayalon.DevHost.Simulator;

/// <summary>
/// Runs the simulator on its own:
/// <c>dotnet run --project Ayalon.DevHost -- simulator --port 7072 [--replay 2026-09-15] [--seed N] [--key K]
/// [--here-key K] [--here-access-key-id ID --here-access-key-secret SECRET] [--here-replay SET] [--fault KIND]
/// [--replay-dir DIR] [--here-replay-dir DIR] [--corridor FILE]</c>. Stops on Ctrl+C or SIGTERM.
/// Each request is printed as path, point or area and answer — never a key, token or signature.
/// </summary>
public static class SimulatorCommand
{
    public const string Name = "simulator";

    public const string Usage =
        "usage: simulator [--port N] [--seed N] [--replay SET] [--replay-dir DIR] [--key REQUIRED_KEY] [--here-key REQUIRED_KEY] " +
        "[--here-access-key-id ID --here-access-key-secret SECRET] [--here-replay SET] [--here-replay-dir DIR] [--fault KIND] [--corridor FILE]";

    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        return await RunAsync(args, Console.Out, stop.Token).ConfigureAwait(false);
    }

    /// <summary>Runs until <paramref name="stop"/> fires; returns 0, or 2 for bad arguments.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (!TryParse(args, out var options, out var corridorFile, out var problem))
        {
            await output.WriteLineAsync(problem).ConfigureAwait(false);
            await output.WriteLineAsync(Usage).ConfigureAwait(false);
            return problem.StartsWith("help", StringComparison.Ordinal) ? 0 : 2;
        }

        CorridorDefinition corridor;
        TrafficSimulator simulator;
        try
        {
            corridor = corridorFile is null ? CorridorLoader.LoadDefault() : CorridorLoader.LoadFile(corridorFile);
            simulator = await TrafficSimulator.StartAsync(options, corridor, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CorridorValidationException or IOException or ArgumentException or InvalidDataException)
        {
            await output.WriteLineAsync("simulator: " + ex.Message).ConfigureAwait(false);
            return 2;
        }

        await using (simulator.ConfigureAwait(false))
        {
            var gate = new Lock();
            simulator.RequestCompleted += r =>
            {
                var subject = r.Surface switch
                {
                    SimulatorSurface.HereFlow => $"in={r.Area ?? "-"} key={(r.KeyPresent ? "present" : "missing")}",
                    SimulatorSurface.HereToken => $"authorization={(r.KeyPresent ? "present" : "missing")}",
                    _ => $"point={r.Point ?? "-"} key={(r.KeyPresent ? "present" : "missing")}",
                };
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{r.ReceivedAtUtc:O} {r.Method} {r.Path} {subject} -> {(r.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "none")} {r.Outcome} {r.ElapsedMs:0}ms");
                lock (gate) output.WriteLine(line);
            };
            string Mode(SimulatorMode mode, string? set) => mode == SimulatorMode.Replay ? $"replay {set}" : $"live, seed {simulator.Seed}";
            var bbox = simulator.HereNetwork.Extent.Grow(500);
            var probe = corridor.Sections[0].Midpoint;
            lock (gate)
            {
                output.WriteLine($"Traffic simulator listening on {simulator.BaseUrl} (TomTom {Mode(simulator.Mode, simulator.ReplaySet)}; " +
                                 $"HERE {Mode(simulator.HereMode, simulator.HereReplaySet)}; corridor {corridor.Name}, {corridor.Attribution})");
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"TomTom flow: GET {simulator.BaseUrl}traffic/services/4/flowSegmentData/absolute/10/json?point={probe.LatitudeDeg:0.######},{probe.LongitudeDeg:0.######}&unit=KMPH&key=…"));
                output.WriteLine($"HERE flow:   GET {simulator.BaseUrl}v7/flow?in=bbox:{bbox}&locationReferencing=shape&functionalClasses=1,2&apiKey=… (or Authorization: Bearer <token>)");
                output.WriteLine($"HERE token:  POST {simulator.HereTokenUrl} (OAuth 1.0 HMAC-SHA256; " +
                                 (simulator.State.HereOAuthConfigured ? "access key configured)" : "no access key configured: every token request is refused)"));
                output.WriteLine($"control: GET {simulator.BaseUrl}_simulator/state, POST/DELETE {simulator.BaseUrl}_simulator/faults");
            }
            try
            {
                await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop cleanly.
            }
            lock (gate) output.WriteLine($"Traffic simulator stopped after {simulator.RequestCount} requests and {simulator.TokenRequestCount} token requests");
        }
        return 0;
    }

    internal static bool TryParse(string[] args, out SimulatorOptions options, out string? corridorFile, out string problem)
    {
        options = new SimulatorOptions();
        corridorFile = null;
        problem = "";
        var i = args.Length > 0 && args[0] == Name ? 1 : 0;
        for (; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                problem = "help: a TomTom Flow Segment Data and HERE Traffic API v7 look-alike on 127.0.0.1";
                return false;
            }
            if (i + 1 >= args.Length)
            {
                problem = $"'{name}' needs a value";
                return false;
            }
            var value = args[++i];
            switch (name)
            {
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535:
                    options.Port = port;
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed):
                    options.Seed = seed;
                    break;
                case "--replay":
                    options.ReplaySet = value;
                    break;
                case "--replay-dir":
                    options.ReplayDirectory = value;
                    break;
                case "--key":
                    options.RequiredKey = value;
                    break;
                case "--here-key":
                    options.HereApiKey = value;
                    break;
                case "--here-access-key-id":
                    options.HereAccessKeyId = value;
                    break;
                case "--here-access-key-secret":
                    options.HereAccessKeySecret = value;
                    break;
                case "--here-replay":
                    options.HereReplaySet = value;
                    break;
                case "--here-replay-dir":
                    options.HereReplayDirectory = value;
                    break;
                case "--fault" when SimulatorFault.TryParseKind(value, out _):
                    options.Fault = value;
                    break;
                case "--corridor":
                    corridorFile = value;
                    break;
                default:
                    problem = $"bad argument '{name} {value}'";
                    return false;
            }
        }
        if (string.IsNullOrEmpty(options.HereAccessKeyId) != string.IsNullOrEmpty(options.HereAccessKeySecret))
        {
            problem = "--here-access-key-id and --here-access-key-secret go together";
            return false;
        }
        return true;
    }
}
