using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Ayalon.Core.Corridor;
using Ayalon.DevHost.Cli;

namespace Ayalon.DevHost.Simulator;

/// <summary>
/// Runs the simulator on its own: <c>dotnet run --project Ayalon.DevHost -- simulator --port 7072</c>
/// (<c>simulator --help</c> lists the options). Stops on Ctrl+C or SIGTERM.
/// Each request is printed as path, point or area and answer — never a key, token or signature.
/// </summary>
public static class SimulatorCommand
{
    public const string Name = "simulator";

    /// <summary>Runs <c>simulator</c> until <paramref name="stop"/> fires (tests call it in-process; a leading
    /// <c>simulator</c> is accepted). Returns 0, or 2 for bad arguments; output and errors both go to
    /// <paramref name="output"/>.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var rest = args.Length > 0 && args[0] == Name ? args[1..] : args;
        return CommandLineRunner.InvokeAsync(Create(stopOnSignals: false), rest, output, output, stop);
    }

    /// <param name="stopOnSignals">Stop on Ctrl+C and SIGTERM (the real process) as well as on the invocation's token.</param>
    public static Command Create(bool stopOnSignals)
    {
        var port = new Option<int>("--port")
        {
            Description = "Loopback port (0: any free port).", HelpName = "N", CustomParser = CommandLineRunner.WholeNumber("--port", 0, 65535),
        };
        var seedParser = CommandLineRunner.WholeNumber("--seed", int.MinValue, int.MaxValue);
        var seed = new Option<int?>("--seed")
        {
            Description = "Seed of the deterministic traffic pattern (default 20).", HelpName = "N", CustomParser = r => seedParser(r),
        };
        var replay = new Option<string>("--replay") { Description = "Serve the recorded TomTom answer set of this name (e.g. 2026-09-15) instead of live synthetic traffic.", HelpName = "SET" };
        var replayDir = new Option<string>("--replay-dir") { Description = "Folder of recorded TomTom answer sets (default: fixtures/tomtom).", HelpName = "DIR" };
        var key = new Option<string>("--key") { Description = "TomTom key every request must carry.", HelpName = "KEY" };
        var hereKey = new Option<string>("--here-key") { Description = "HERE apiKey every request must carry.", HelpName = "KEY" };
        var hereId = new Option<string>("--here-access-key-id") { Description = "HERE OAuth access key id the token endpoint accepts (with --here-access-key-secret).", HelpName = "ID" };
        var hereSecret = new Option<string>("--here-access-key-secret") { Description = "HERE OAuth access key secret (with --here-access-key-id).", HelpName = "SECRET" };
        var hereReplay = new Option<string>("--here-replay") { Description = "Serve the recorded HERE answer set of this name instead of live synthetic traffic.", HelpName = "SET" };
        var hereReplayDir = new Option<string>("--here-replay-dir") { Description = "Folder of recorded HERE answer sets (default: fixtures/here).", HelpName = "DIR" };
        var fault = new Option<string>("--fault") { Description = $"Start with this fault switched on ({SimulatorFault.AllWireNames}).", HelpName = "KIND" };
        fault.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!SimulatorFault.TryParseKind(value, out _)) r.AddError($"--fault '{value}' is not one of {SimulatorFault.AllWireNames}.");
        });
        var corridor = new Option<string>("--corridor") { Description = "Corridor definition whose road network is simulated (default: the built-in one).", HelpName = "FILE" };
        var command = new Command(Name,
            "A TomTom Flow Segment Data and HERE Traffic API v7 look-alike on 127.0.0.1, until Ctrl+C or SIGTERM. " +
            "Each request is printed as path, point or area and answer — never a key, token or signature.")
        {
            port, seed, replay, replayDir, key, hereKey, hereId, hereSecret, hereReplay, hereReplayDir, fault, corridor,
        };
        command.Validators.Add(r =>
        {
            if (string.IsNullOrEmpty(r.GetValue(hereId)) != string.IsNullOrEmpty(r.GetValue(hereSecret)))
                r.AddError("--here-access-key-id and --here-access-key-secret go together.");
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new SimulatorOptions
            {
                Port = result.GetValue(port),
                ReplaySet = result.GetValue(replay),
                ReplayDirectory = result.GetValue(replayDir),
                RequiredKey = result.GetValue(key),
                HereApiKey = result.GetValue(hereKey),
                HereAccessKeyId = result.GetValue(hereId),
                HereAccessKeySecret = result.GetValue(hereSecret),
                HereReplaySet = result.GetValue(hereReplay),
                HereReplayDirectory = result.GetValue(hereReplayDir),
                Fault = result.GetValue(fault),
            };
            if (result.GetValue(seed) is { } s) options.Seed = s;
            if (!stopOnSignals) return await RunAsync(options, result.GetValue(corridor), result.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
                {
                    c.Cancel = true;
                    stop.Cancel();
                });
                return await RunAsync(options, result.GetValue(corridor), result.InvocationConfiguration.Output, stop.Token).ConfigureAwait(false);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(SimulatorOptions options, string? corridorFile, TextWriter output, CancellationToken stop)
    {
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
}
