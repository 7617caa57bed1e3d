using Ayalon.Tests.Infrastructure;
using System.Globalization;
using Ayalon.Core;
using Ayalon.Core.Collection;
using Ayalon.Core.Corridor;
using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.DevHost.Simulator;
using Ayalon.Tests.Traffic;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ayalon.Tests.Collection;

/// <summary>
/// The real collection cycle as the hosts build it (<see cref="AyalonServiceCollectionExtensions.AddAyalonCore"/>
/// and in-memory configuration), pointed at a real TomTom simulator on loopback and a real Azurite with a fresh
/// table prefix. Reads for assertions go through <see cref="Inspect"/>, a separate table client with its own
/// operation counter, so they never count as the cycle's own storage cost.
/// </summary>
public sealed class CycleHarness : IAsyncDisposable
{
    public const string Key = "cycle-test-key-7c21e9";

    private CycleHarness(ServiceProvider services, StorageOptions storage, LogCapture logs)
    {
        Services = services;
        Storage = storage;
        Logs = logs;
        Inspect = TestTables.Open(storage);
    }

    public ServiceProvider Services { get; }
    public StorageOptions Storage { get; }
    public LogCapture Logs { get; }

    /// <summary>The tables the cycle writes, through a client of the test's own (its reads are not the cycle's cost).</summary>
    public AyalonTables Inspect { get; }

    /// <summary>The cycle's own tables.</summary>
    public AyalonTables Tables => Services.GetRequiredService<AyalonTables>();

    /// <summary>Table Storage requests the cycle's table client sent (all components, when wired as in production).</summary>
    public TableOperationCounter TableOperations => Services.GetRequiredService<TableOperationCounter>();

    public static CorridorDefinition Corridor { get; } = CorridorLoader.LoadDefault();

    /// <param name="connectionString">Azurite.</param>
    /// <param name="simulator">The provider the cycle talks to (TomTom:BaseUrl).</param>
    /// <param name="tablePrefix">Storage:TablePrefix; a fresh one when null.</param>
    /// <param name="settings">Extra configuration (e.g. <c>Quota:Limit</c>); wins over the defaults here.</param>
    /// <param name="time">Registered as the app's TimeProvider (a fake clock); the system clock when null.</param>
    /// <param name="configure">Registrations applied before AddAyalonCore (its TryAdd keeps them).</param>
    public static CycleHarness Create(
        string connectionString,
        TrafficSimulator simulator,
        string? tablePrefix = null,
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        Action<IServiceCollection, StorageOptions>? configure = null)
    {
        var storage = new StorageOptions { ConnectionString = connectionString, TablePrefix = tablePrefix ?? AzuriteFixture.NewTablePrefix() };
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["Storage:TablePrefix"] = storage.TablePrefix,
            ["TomTom:BaseUrl"] = simulator.BaseUrl.ToString().TrimEnd('/'),
            ["TomTom:ApiKey"] = Key,
            ["TomTom:TimeoutSeconds"] = "1",
            ["TomTom:RetryDelayMilliseconds"] = "0",
            ["Collector:MinIntervalSeconds"] = "0",
        };
        if (settings is not null)
        {
            foreach (var (k, v) in settings) values[k] = v;
        }
        var config = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var logs = new LogCapture();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace);
            b.AddProvider(logs);
        });
        if (time is not null) services.AddSingleton(time);
        configure?.Invoke(services, storage);
        services.AddAyalonCore(config);
        return new CycleHarness(services.BuildServiceProvider(validateScopes: true), storage, logs);
    }

    /// <summary>
    /// Settings that point the HERE client at the simulator's HERE surface with the harness key (or, with
    /// <paramref name="oauth"/>, the simulator's OAuth client credentials), asking <paramref name="providers"/> in order.
    /// </summary>
    public static Dictionary<string, string?> HereSettings(TrafficSimulator simulator, string providers = "here", bool oauth = false,
        string? apiKey = Key) => new()
    {
        ["Traffic:Providers"] = providers,
        ["Here:BaseUrl"] = simulator.BaseUrl.ToString().TrimEnd('/'),
        ["Here:TokenUrl"] = simulator.HereTokenUrl.ToString(),
        ["Here:ApiKey"] = oauth ? null : apiKey,
        ["Here:AccessKeyId"] = oauth ? HereAccessKeyId : null,
        ["Here:AccessKeySecret"] = oauth ? HereAccessKeySecret : null,
        ["Here:TimeoutSeconds"] = "1",
        ["Here:RetryDelayMilliseconds"] = "0",
    };

    public const string HereAccessKeyId = "cycle-test-access-key-id";
    public const string HereAccessKeySecret = "cycle-test-access-key-secret+/=~3d8f";

    /// <summary>A cycle resolved the way the hosts resolve it (transient).</summary>
    public CollectionCycle Cycle => Services.GetRequiredService<CollectionCycle>();

    public Task<CycleRecord> RunAsync(string trigger = "test", CancellationToken cancellationToken = default) =>
        Cycle.RunAsync(trigger, cancellationToken);

    /// <summary>Rows in one of the app's tables (0 when the table was never created).</summary>
    public async Task<int> CountRowsAsync(string table)
    {
        var client = TestTables.Service(Storage).GetTableClient(Inspect.FullName(table));
        var count = 0;
        try
        {
            await foreach (var _ in client.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"])) count++;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
        return count;
    }

    /// <summary>Every entity of every app table, for scanning.</summary>
    public async Task<IReadOnlyList<(string Table, TableEntity Entity)>> AllEntitiesAsync()
    {
        var result = new List<(string, TableEntity)>();
        foreach (var table in new[]
                 {
                     AyalonTables.QuotaLedger, AyalonTables.CycleLeases, AyalonTables.Cycles, AyalonTables.Observations,
                     AyalonTables.RawResponses, AyalonTables.HourlyRollups, AyalonTables.LatestState,
                 })
        {
            var client = TestTables.Service(Storage).GetTableClient(Inspect.FullName(table));
            try
            {
                await foreach (var e in client.QueryAsync<TableEntity>()) result.Add((table, e));
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404)
            {
                // never created
            }
        }
        return result;
    }

    public Task<LatestState> LatestAsync() => new LatestStateStore(Inspect).ReadAsync(default);

    public Task<IReadOnlyList<CycleRecord>> CycleRecordsAsync() =>
        new CycleStore(Inspect).ReadAsync(DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddYears(50), default);

    public Task<IReadOnlyList<StoredObservation>> ObservationsAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc) =>
        new ObservationStore(Inspect).ReadAsync(fromUtc, toUtc, null, default);

    public Task<IReadOnlyList<ArchivedResponse>> ArchivedAsync(CycleRecord cycle) =>
        new RawResponseArchive(Inspect).ReadCycleAsync(cycle.CycleId, cycle.StartedAtUtc, default);

    /// <summary>The ledger row of the current period, read with the app's quota settings and clock.</summary>
    public Task<QuotaStatus> QuotaAsync(string provider = TomTomFlowParser.ProviderName) =>
        new QuotaLedger(Inspect, Services.GetRequiredService<IOptionsMonitor<QuotaOptions>>(),
            Services.GetRequiredService<TimeProvider>(), NullLogger<QuotaLedger>.Instance).GetStatusAsync(provider, default);

    /// <summary>A <see cref="CycleLease"/> on its own tables (another prefix), sharing nothing else.</summary>
    public static CycleLease LeaseOnOwnTables(IServiceProvider sp, StorageOptions storage, string leasePrefix) =>
        new(TestTables.Open(new StorageOptions { ConnectionString = storage.ConnectionString, TablePrefix = leasePrefix }),
            sp.GetRequiredService<IOptionsMonitor<CollectorOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CycleLease>>());

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

/// <summary>A simulator for the cycle tests: live mode, the harness key required, a clock of the test's choosing.</summary>
public static class CycleSimulator
{
    public static Task<TrafficSimulator> StartAsync(TimeProvider? time = null, string? replaySet = null, string key = CycleHarness.Key) =>
        TrafficSimulator.StartAsync(new SimulatorOptions
        {
            Port = 0,
            Seed = 20,
            RequiredKey = key,
            HereApiKey = key,
            HereAccessKeyId = CycleHarness.HereAccessKeyId,
            HereAccessKeySecret = CycleHarness.HereAccessKeySecret,
            ReplaySet = replaySet,
            TimeProvider = time ?? TimeProvider.System,
            // A timeout fault holds the request only a little longer than the client's 1 s timeout.
            TimeoutHangSeconds = 5,
        }, CycleHarness.Corridor);
}
