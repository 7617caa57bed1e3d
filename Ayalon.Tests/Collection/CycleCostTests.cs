using Ayalon.Tests.Infrastructure;
using Ayalon.Core.Collection;
using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Ayalon.DevHost.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ayalon.Tests.Collection;

/// <summary>
/// What one steady-state cycle costs (not the first ever: tables, the ledger row, the latest state and the hour's
/// rollup already exist): provider requests counted by the simulator, Table Storage operations counted by
/// <see cref="TableOperationCounter"/> per component. Figures go to docs/BENCHMARKS.md ("Collection cycle cost");
/// run with <c>dotnet test Ayalon.Tests --filter FullyQualifiedName~CycleCost</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CycleCostTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Archive = "raw archive";

    // 12 until the lease was held for the whole cycle: its ownership check before persisting and its release
    // (outcome, providers' backoff) are one write each.
    private const int TargetTableOperations = 13;

    [Theory]
    [InlineData("tomtom", 2)]
    [InlineData("here", 1)]
    public async Task CycleCost_a_steady_state_cycle_sends_the_providers_planned_requests_and_its_table_operations_are_counted_per_component(
        string provider, int maxRequests)
    {
        // Per component: each store on its own table client and counter (same tables as production).
        var counters = new SortedDictionary<string, TableOperationCounter>(StringComparer.Ordinal);
        var (requests, _) = await RunSteadyStateAsync(provider, configure: (services, storage) =>
        {
            AyalonTables Own(string component)
            {
                var counter = new TableOperationCounter();
                lock (counters) counters[component] = counter;
                return TestTables.Open(storage, counter);
            }
            services.AddSingleton(sp => new CycleLease(Own("cycle lease"), sp.GetRequiredService<IOptionsMonitor<CollectorOptions>>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CycleLease>>()));
            services.AddSingleton(sp => new QuotaLedger(Own("quota ledger"), sp.GetRequiredService<IOptionsMonitor<QuotaOptions>>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<QuotaLedger>>()));
            services.AddSingleton(_ => new LatestStateStore(Own("latest state (read + move)")));
            services.AddSingleton(_ => new ObservationStore(Own("observations")));
            services.AddSingleton(_ => new RollupStore(Own("hourly rollups")));
            services.AddSingleton(_ => new CycleStore(Own("cycle record")));
            services.AddSingleton(_ => new RawResponseArchive(Own(Archive)));
        }, measure: counters);

        // The same cycles wired exactly as in production (one table client for everything): the same total.
        var (_, productionTotal) = await RunSteadyStateAsync(provider, configure: null, measure: null);

        var perComponent = requests.Breakdown;
        var withoutArchive = perComponent.Where(p => p.Key != Archive).Sum(p => p.Value);
        output.WriteLine($"{provider}: provider requests per steady-state cycle: {requests.ProviderRequests}");
        output.WriteLine($"{provider}: raw archive per cycle: {requests.ArchiveBodyBytes} bytes of provider bodies, {requests.ArchiveGzipBytes} stored (gzip)");
        output.WriteLine($"table operations per steady-state cycle, raw archive excluded: {withoutArchive} (target ≤ {TargetTableOperations})");
        foreach (var (component, ops) in perComponent) output.WriteLine($"  {component}: {ops}");
        output.WriteLine($"production wiring, archive included: {productionTotal}");

        Assert.True(requests.ProviderRequests <= maxRequests, $"{requests.ProviderRequests} provider requests per cycle");
        Assert.Equal(perComponent.Values.Sum(), productionTotal);
        Assert.True(withoutArchive <= TargetTableOperations,
            $"{withoutArchive} table operations per cycle (target {TargetTableOperations})");
    }

    private sealed record Cost(int ProviderRequests, IReadOnlyDictionary<string, long> Breakdown, long ArchiveBodyBytes, long ArchiveGzipBytes);

    /// <summary>
    /// Three warm-up cycles five minutes apart (the first creates tables and rows, the second the hour's rollup),
    /// then two measured ones, which must cost the same.
    /// </summary>
    private async Task<(Cost Cost, long TotalOperations)> RunSteadyStateAsync(
        string provider, Action<IServiceCollection, StorageOptions>? configure, IDictionary<string, TableOperationCounter>? measure)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 9, 15, 5, 20, 0, TimeSpan.Zero));
        await using TrafficSimulator simulator = await CycleSimulator.StartAsync(clock);
        var settings = provider == "here" ? CycleHarness.HereSettings(simulator) : new Dictionary<string, string?> { ["Traffic:Providers"] = provider };
        settings["Collector:MinIntervalSeconds"] = "60";
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator, time: clock, settings: settings, configure: configure);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(CycleStatus.Ok, (await harness.RunAsync()).Status);
            clock.Advance(TimeSpan.FromMinutes(5));
        }

        var costs = new List<(Cost Cost, long Total)>();
        for (var i = 0; i < 2; i++)
        {
            var requestsBefore = simulator.RequestCount;
            var totalBefore = harness.TableOperations.Count;
            var before = measure?.ToDictionary(p => p.Key, p => p.Value.Count) ?? [];
            var record = await harness.RunAsync();
            Assert.Equal(CycleStatus.Ok, record.Status);
            Assert.True(record.ObservationsStored > 0); // a real steady-state cycle: new data stored and rolled up
            var breakdown = measure?.ToDictionary(p => p.Key, p => p.Value.Count - before.GetValueOrDefault(p.Key)) ?? [];
            var bodies = (await harness.ArchivedAsync(record)).Select(a => a.Response.Body).ToList();
            costs.Add((new Cost(simulator.RequestCount - requestsBefore, breakdown, bodies.Sum(b => (long)b.Length), bodies.Sum(GzipLength)),
                harness.TableOperations.Count - totalBefore));
            Assert.Equal(record.RequestsUsed, simulator.RequestCount - requestsBefore);
            clock.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Equal(costs[0].Cost.ProviderRequests, costs[1].Cost.ProviderRequests);
        Assert.Equal(costs[0].Cost.Breakdown, costs[1].Cost.Breakdown);
        Assert.Equal(costs[0].Total, costs[1].Total);
        return costs[1];
    }

    /// <summary>What the archive stores for a body: gzip at the archive's level.</summary>
    private static long GzipLength(byte[] body)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(body);
        return output.Length;
    }
}
