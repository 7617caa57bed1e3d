using System.Globalization;
using System.Runtime.InteropServices;
using Ayalon.Core.Corridor;

namespace Ayalon.DevHost.Simulator;

/// <summary>
/// Runs the simulator on its own:
/// <c>dotnet run --project Ayalon.DevHost -- simulator --port 7072 [--replay 2026-09-15] [--seed N] [--key K]
/// [--fault KIND] [--replay-dir DIR] [--corridor FILE]</c>. Stops on Ctrl+C or SIGTERM.
/// Each request is printed as path, point and answer — never the key.
/// </summary>
public static class SimulatorCommand
{
    public const string Name = "simulator";

    public const string Usage =
        "usage: simulator [--port N] [--seed N] [--replay SET] [--replay-dir DIR] [--key REQUIRED_KEY] [--fault KIND] [--corridor FILE]";

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
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{r.ReceivedAtUtc:O} GET {r.Path} point={r.Point ?? "-"} key={(r.KeyPresent ? "present" : "missing")} -> {(r.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "none")} {r.Outcome} {r.ElapsedMs:0}ms");
                lock (gate) output.WriteLine(line);
            };
            var mode = simulator.Mode == SimulatorMode.Replay ? $"replay {simulator.ReplaySet}" : $"live, seed {simulator.Seed}";
            lock (gate)
            {
                output.WriteLine($"TomTom simulator listening on {simulator.BaseUrl} ({mode}; corridor {corridor.Name}, {corridor.Attribution})");
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
            lock (gate) output.WriteLine($"TomTom simulator stopped after {simulator.RequestCount} requests");
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
                problem = "help: a TomTom Flow Segment Data look-alike on 127.0.0.1";
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
        return true;
    }
}
