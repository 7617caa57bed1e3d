using Ayalon.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Ayalon.Core.Impact;
using Ayalon.Core.ReadModels;
using Ayalon.Core.Storage;
using Ayalon.DevHost.Simulator;
using Ayalon.Tests.Collection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NCrontab;

namespace Ayalon.Tests.Soak;

/// <summary>Something the soak saw go wrong while running, by kind.</summary>
public sealed record SoakViolation(string Kind, string Text)
{
    public const string LatestMovedBack = "latest state moved back";
    public const string CurrentOnOldData = "current on data older than the hold";
    public const string TodayTooLong = "today longer than the local day";
    public const string NotStaged = "fault not staged";
}

/// <summary>One stored observation row, as the whole-run checks need it.</summary>
public sealed record SoakObservationRow(string PartitionKey, string RowKey, string SectionId, string SnapshotId, DateTimeOffset ObservedAtUtc);

/// <summary>The run's end state: requests as counted by the simulator, the ledger and the cycle records, and what was stored.</summary>
public sealed record SoakFigures(
    int SimulatorRequests,
    IReadOnlyDictionary<string, int> LedgerReservedByProvider,
    IReadOnlyList<CycleRecord> CycleRecords,
    IReadOnlyList<SoakObservationRow> Observations,
    IReadOnlyList<SectionHour> Rollups)
{
    public int LedgerReserved => LedgerReservedByProvider.Values.Sum();
    public int RecordedAttempts => CycleRecords.Sum(c => c.Attempts.Count);
    public int RecordedRequestsUsed => CycleRecords.Sum(c => c.RequestsUsed);
}

/// <summary>One cycle the soak ran: the schedule occurrence, how it was started, and how it ended.</summary>
public sealed record SoakCycleOutcome(DateTimeOffset OccurrenceUtc, string Shape, string Trigger, string Outcome, int RequestsUsed)
{
    public bool Collected => Outcome is CycleStatus.Ok or CycleStatus.Partial;
}

/// <summary>
/// A long run of the real collection cycle on a fake clock: the app's own DI registration (<see cref="CycleHarness"/>)
/// with both providers (HERE first, TomTom second) against the traffic simulator, which reads the same clock, over a
/// dedicated Azurite that the run may stop, start or empty. <see cref="RunAsync"/> walks the collector's schedule
/// occurrence by occurrence, applies the scenario's steps, starts each cycle as the timer would (or in a special
/// shape), and checks after each cycle what must hold at every moment (<see cref="Violations"/>); what can only be
/// checked on the whole run is read from storage afterwards.
/// </summary>
public sealed class SoakRun : IAsyncDisposable
{
    public const string Schedule = "0 */5 * * * *";

    /// <summary>The production default: a second start within a minute of the last skips.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Both providers' per-attempt timeout, a setting within their allowed 1–120 s. The fake clock moves in jumps while
    /// a request is held in real time: a timeout longer than the overlap jump (<see cref="MinInterval"/> + 1 s) keeps a
    /// held request a slow answer across it, and the timeout fault jumps the clock past it (<see cref="DriveClockPastTimeouts"/>).
    /// </summary>
    public static readonly TimeSpan ProviderTimeout = TimeSpan.FromSeconds(70);

    /// <summary>/api/impact's "current" limit and the step-hold's longest hold (impact constants, maxHoldSeconds).</summary>
    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(600);

    public static readonly TimeZoneInfo Israel = TimeZoneInfo.FindSystemTimeZoneById("Asia/Jerusalem");

    private static readonly CrontabSchedule Cron = CrontabSchedule.Parse(Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    private readonly ConcurrentDictionary<string, int> _simulatorOutcomes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _latestSeen = new(StringComparer.Ordinal);
    private readonly List<SoakCycleOutcome> _cycles = [];
    private readonly List<SoakViolation> _violations = [];
    private readonly List<string> _log = [];
    private readonly List<DateTimeOffset> _storageBack = [];
    private int _completedTraffic;

    private SoakRun(FakeTimeProvider clock, TrafficSimulator simulator, AzuriteProcess storage, string tablePrefix)
    {
        Clock = clock;
        Simulator = simulator;
        Storage = storage;
        TablePrefix = tablePrefix;
        Inspect = new SoakStorage(storage.ConnectionString, tablePrefix);
        simulator.RequestCompleted += OnSimulatorRequest;
        Host = CreateHost();
    }

    public FakeTimeProvider Clock { get; }
    public TrafficSimulator Simulator { get; }
    public AzuriteProcess Storage { get; }
    public string TablePrefix { get; }
    public SoakStorage Inspect { get; }

    /// <summary>The app as one host builds it; replaced by <see cref="RestartHostAsync"/>.</summary>
    public CycleHarness Host { get; private set; }

    /// <summary>Set during the timeout fault: a request held by the simulator makes the clock jump past the provider timeout.</summary>
    public bool DriveClockPastTimeouts { get; set; }

    /// <summary>Called on every traffic request the simulator finished (answered or abandoned), on its request thread.</summary>
    public Action<SimulatorRequestRecord>? OnRequest { get; set; }

    /// <summary>Simulator traffic requests since the storage last came back empty (all of them on persistent storage).</summary>
    public int SimulatorRequests => Simulator.RequestCount - SimulatorRequestsBeforeWipe;

    public int SimulatorRequestsBeforeWipe { get; private set; }

    /// <summary>When the storage last came back empty (in-memory restart); null when it never did.</summary>
    public DateTimeOffset? WipedAtUtc { get; private set; }

    public IReadOnlyList<SoakCycleOutcome> Cycles => _cycles;

    /// <summary>Breaches of the invariants checked while running, and shapes that could not be staged.</summary>
    public IReadOnlyList<SoakViolation> Violations => _violations;

    public IReadOnlyList<string> ViolationsOf(string kind) => _violations.Where(v => v.Kind == kind).Select(v => v.Text).ToList();

    /// <summary>Steps applied, with their simulated time.</summary>
    public IReadOnlyList<string> Log => _log;

    /// <summary>How the simulator answered, by its outcome label (e.g. <c>fault:server_error</c>, <c>ok</c>).</summary>
    public IReadOnlyDictionary<string, int> SimulatorOutcomes => _simulatorOutcomes;

    /// <summary>When storage answered again after an outage.</summary>
    public IReadOnlyList<DateTimeOffset> StorageBackAtUtc => _storageBack;

    public int ImpactChecks { get; private set; }
    public int ScheduleOccurrences { get; private set; }
    public TimeSpan WallTime { get; private set; }
    public DateTimeOffset StartUtc { get; private set; }
    public DateTimeOffset EndUtc { get; private set; }

    /// <param name="onDisk">Azurite persisting to a temporary folder (stop/start keeps the data), else in memory (a restart empties it).</param>
    public static async Task<SoakRun> StartAsync(DateTimeOffset startUtc, bool onDisk)
    {
        var clock = new FakeTimeProvider(startUtc);
        var location = onDisk ? Path.Combine(Path.GetTempPath(), "ayalon-soak-" + Guid.NewGuid().ToString("N")[..8]) : null;
        var storage = await AzuriteProcess.StartAsync(location: location);
        var simulator = await TrafficSimulator.StartAsync(new SimulatorOptions
        {
            Port = 0,
            Seed = 11,
            RequiredKey = CycleHarness.Key,
            HereApiKey = CycleHarness.Key,
            TimeProvider = clock,
            // Held until the client gives up; the clock driver makes it give up within a fraction of this.
            TimeoutHangSeconds = 30,
        }, CycleHarness.Corridor);
        return new SoakRun(clock, simulator, storage, AzuriteFixture.NewTablePrefix());
    }

    /// <summary>A host on the run's storage, table prefix, simulator and clock, configured as production but for the timeouts.</summary>
    public CycleHarness CreateHost()
    {
        var settings = CycleHarness.HereSettings(Simulator, providers: "here,tomtom");
        var timeout = ((int)ProviderTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        settings["Here:TimeoutSeconds"] = timeout;
        settings["TomTom:TimeoutSeconds"] = timeout;
        // The retry pause waits on the app's clock, which only the soak moves: left at 0 (as in the cycle tests).
        settings["Here:RetryDelayMilliseconds"] = "0";
        settings["TomTom:RetryDelayMilliseconds"] = "0";
        settings["Collector:Schedule"] = Schedule;
        settings["Collector:MinIntervalSeconds"] = ((int)MinInterval.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return CycleHarness.Create(Storage.ConnectionString, Simulator, TablePrefix, settings, Clock);
    }

    public async Task RestartHostAsync()
    {
        await Host.DisposeAsync();
        Host = CreateHost();
    }

    public static DateTimeOffset NextOccurrence(DateTimeOffset afterUtc) =>
        new(DateTime.SpecifyKind(Cron.GetNextOccurrence(afterUtc.UtcDateTime), DateTimeKind.Utc));

    /// <summary>Runs every schedule occurrence in [<paramref name="startUtc"/>, <paramref name="endUtc"/>).</summary>
    public async Task RunAsync(SoakScenario scenario, DateTimeOffset startUtc, DateTimeOffset endUtc)
    {
        StartUtc = startUtc;
        EndUtc = endUtc;
        var wall = Stopwatch.StartNew();
        var steps = new Queue<(DateTimeOffset AtUtc, string Name, Func<SoakRun, Task> Apply)>(scenario.Steps);
        var occurrence = NextOccurrence(startUtc.AddTicks(-1));
        var sinceImpactCheck = 0;
        while (occurrence < endUtc)
        {
            var now = Clock.GetUtcNow();
            if (now < occurrence) Clock.SetUtcNow(occurrence);
            else if (now - occurrence > TimeSpan.FromSeconds(30))
            {
                // A cycle driven past its timeouts ran over this occurrence: the timer would fire late once, not catch up.
                occurrence = NextOccurrence(now);
                continue;
            }
            ScheduleOccurrences++;
            var special = false;
            while (steps.Count > 0 && steps.Peek().AtUtc <= occurrence)
            {
                var step = steps.Dequeue();
                _log.Add($"{Clock.GetUtcNow():O} {step.Name}");
                await step.Apply(this);
                special = true;
            }

            if (scenario.TryShapeAt(occurrence, out var shape))
            {
                _log.Add($"{Clock.GetUtcNow():O} cycle shape: {shape.Name}");
                await shape.Run(this);
                special = true;
            }
            else
            {
                await RunCycleAsync(Host, "timer", "plain");
            }

            await CheckLatestNeverMovesBackAsync(occurrence);
            // /api/impact is rebuilt from storage each time: every hour of simulated time, and after anything unusual.
            if (special || ++sinceImpactCheck >= 12 || _cycles.Count > 0 && !_cycles[^1].Collected)
            {
                sinceImpactCheck = 0;
                await CheckImpactAsync();
            }
            occurrence = NextOccurrence(occurrence);
        }
        while (steps.Count > 0)
        {
            var step = steps.Dequeue();
            _log.Add($"{Clock.GetUtcNow():O} {step.Name} (after the last cycle)");
            await step.Apply(this);
        }
        if (!Storage.IsRunning) await StartStorageAsync();
        WallTime = wall.Elapsed;
    }

    /// <summary>Starts one cycle on <paramref name="host"/> and records how it ended (a thrown cycle is an outcome too).</summary>
    public async Task<SoakCycleOutcome> RunCycleAsync(CycleHarness host, string trigger, string shape)
    {
        var occurrence = Clock.GetUtcNow();
        var cycle = host.RunAsync(trigger);
        if (DriveClockPastTimeouts)
        {
            var busyPolls = 0;
            while (!cycle.IsCompleted)
            {
                await Task.WhenAny(cycle, Task.Delay(25));
                if (cycle.IsCompleted) break;
                // A request the simulator still holds after a few polls is a hung one: let its timeout pass.
                busyPolls = Simulator.RequestCount > Volatile.Read(ref _completedTraffic) ? busyPolls + 1 : 0;
                if (busyPolls >= 4)
                {
                    Clock.Advance(ProviderTimeout + TimeSpan.FromSeconds(1));
                    busyPolls = 0;
                }
            }
        }
        SoakCycleOutcome outcome;
        try
        {
            var record = await cycle;
            outcome = new SoakCycleOutcome(occurrence, shape, trigger, record.Status, record.RequestsUsed);
        }
        catch (Exception ex)
        {
            outcome = new SoakCycleOutcome(occurrence, shape, trigger, "threw " + ex.GetType().Name, 0);
        }
        lock (_cycles) _cycles.Add(outcome);
        return outcome;
    }

    public async Task StopStorageAsync()
    {
        await Storage.StopAsync();
    }

    public async Task StartStorageAsync()
    {
        await Storage.StartAsync();
        _storageBack.Add(Clock.GetUtcNow());
    }

    /// <summary>
    /// Storage restarted with nothing in it (in-memory Azurite): from here on the run's figures count from zero,
    /// and the app must find its tables gone and create them again.
    /// </summary>
    public async Task RestartStorageEmptyAsync()
    {
        if (Storage.Location is not null) throw new InvalidOperationException("An on-disk Azurite keeps its data across a restart.");
        await Storage.StopAsync();
        SimulatorRequestsBeforeWipe = Simulator.RequestCount;
        WipedAtUtc = Clock.GetUtcNow();
        _latestSeen.Clear();
        await StartStorageAsync();
    }

    public void Violation(string kind, string text)
    {
        lock (_violations) _violations.Add(new SoakViolation(kind, $"{Clock.GetUtcNow():O} {text}"));
    }

    /// <summary>Each section's latest observation time only ever moves forward.</summary>
    public async Task CheckLatestNeverMovesBackAsync(DateTimeOffset occurrence)
    {
        if (!Storage.IsRunning) return;
        IReadOnlyDictionary<string, DateTimeOffset> latest;
        try
        {
            latest = await Inspect.LatestObservedAsync();
        }
        catch (Azure.RequestFailedException)
        {
            return; // storage just restarting: the next cycle's check sees it
        }
        foreach (var (section, observed) in latest)
        {
            if (_latestSeen.TryGetValue(section, out var seen) && observed < seen)
            {
                Violation(SoakViolation.LatestMovedBack, $"latest state of {section} moved back from {seen:O} to {observed:O} (occurrence {occurrence:O})");
            }
            if (!_latestSeen.TryGetValue(section, out seen) || observed > seen) _latestSeen[section] = observed;
        }
    }

    /// <summary>
    /// /api/impact as the app builds it now: no section "current" on an observation older than the hold (or from the
    /// future), and today's observed time within the local day so far (Asia/Jerusalem, 25 h on 2026-10-25).
    /// </summary>
    public async Task CheckImpactAsync()
    {
        if (!Storage.IsRunning) return;
        ImpactResponse impact;
        try
        {
            impact = await Host.Services.GetRequiredService<ImpactService>().BuildAsync(CancellationToken.None);
        }
        catch (Exception ex) when (StorageFailure.Is(ex) || ex is Azure.RequestFailedException)
        {
            return; // the app cannot read storage now; nothing is shown, so nothing shown is wrong
        }
        ImpactChecks++;
        var now = Clock.GetUtcNow();
        foreach (var s in impact.Sections.Where(s => s.State == "current"))
        {
            if (s.ObservedAtUtc is not { } observed || now - observed > Hold || observed > now)
            {
                Violation(SoakViolation.CurrentOnOldData, $"/api/impact shows {s.SectionId} current on an observation from {s.ObservedAtUtc:O} (now {now:O}, hold {Hold.TotalSeconds:0} s)");
            }
        }
        var localNow = TimeZoneInfo.ConvertTime(now, Israel);
        var midnightLocal = localNow.Date;
        var midnightUtc = new DateTimeOffset(midnightLocal, Israel.GetUtcOffset(midnightLocal));
        var sinceMidnight = (now - midnightUtc).TotalSeconds;
        foreach (var d in impact.Today.ByDirection.Where(d => d.ObservedSeconds > sinceMidnight + 1e-6))
        {
            Violation(SoakViolation.TodayTooLong, $"/api/impact today ({impact.Today.LocalDate}) observed {d.ObservedSeconds:0.###} s of {d.Direction}, more than the {sinceMidnight:0} s since local midnight");
        }
    }

    /// <summary>What storage holds at the end of the run, read once for the whole-run invariants.</summary>
    public async Task<SoakFigures> ReadFiguresAsync()
    {
        var tables = TestTables.Open(new StorageOptions { ConnectionString = Storage.ConnectionString, TablePrefix = TablePrefix });
        var from = StartUtc.AddDays(-1);
        var to = EndUtc.AddDays(1);
        var cycles = await new CycleStore(tables).ReadAsync(from, to, CancellationToken.None);
        var sections = CycleHarness.Corridor.Sections.Select(x => x.Id).ToList();
        var rollups = await new RollupStore(tables).ReadAsync(from, to, sections, CancellationToken.None);
        var observations = (await Inspect.ScanAsync(AyalonTables.Observations))
            .Select(e => new SoakObservationRow(e.PartitionKey, e.RowKey, e.GetString("SectionId") ?? "", e.GetString("SnapshotId") ?? "",
                e.GetDateTimeOffset("ObservedAtUtc") ?? default))
            .ToList();
        return new SoakFigures(SimulatorRequests, await Inspect.ReservedByProviderAsync(), cycles, observations, rollups);
    }

    private void OnSimulatorRequest(SimulatorRequestRecord record)
    {
        if (record.Surface == SimulatorSurface.HereToken) return;
        _simulatorOutcomes.AddOrUpdate(record.Outcome, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _completedTraffic);
        OnRequest?.Invoke(record);
    }

    public async ValueTask DisposeAsync()
    {
        Simulator.RequestCompleted -= OnSimulatorRequest;
        await Host.DisposeAsync();
        await Simulator.DisposeAsync();
        await Storage.DisposeAsync();
        if (Storage.Location is { } folder && Directory.Exists(folder))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind is harmless.
            }
        }
    }
}
