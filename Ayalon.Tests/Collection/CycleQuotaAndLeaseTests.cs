using Ayalon.Core.Collection;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.Functions.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Collection;

[Trait("Category", "Integration")]
public sealed class CycleQuotaAndLeaseTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Twenty_concurrent_collectors_sharing_one_ledger_send_exactly_the_limit_and_report_quota_exhausted_for_the_rest()
    {
        const int collectors = 20;
        const int limit = 7;
        await using var simulator = await CycleSimulator.StartAsync();
        var sharedPrefix = AzuriteFixture.NewTablePrefix();
        // One ledger (and every other table) shared; each collector its own lease, so none of them skips.
        var harnesses = Enumerable.Range(0, collectors).Select(i => CycleHarness.Create(azurite.ConnectionString, simulator,
            tablePrefix: sharedPrefix,
            settings: new Dictionary<string, string?> { ["Quota:Limit"] = "7" },
            configure: (services, storage) => services.AddSingleton(sp =>
                CycleHarness.LeaseOnOwnTables(sp, storage, sharedPrefix + "l" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))))).ToList();
        try
        {
            var cycles = harnesses.Select(h => h.Cycle).ToList();
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var runs = cycles.Select(async c =>
            {
                await go.Task;
                return await c.RunAsync("concurrent", default);
            }).ToList();
            go.SetResult();
            var records = await Task.WhenAll(runs);
            var quota = await harnesses[0].QuotaAsync();

            Assert.Equal(limit, simulator.RequestCount);
            Assert.Equal(limit, records.Sum(r => r.RequestsUsed));
            Assert.Equal(limit, quota.Reserved);
            Assert.Equal(limit, quota.Succeeded + quota.Failed);
            Assert.DoesNotContain(records, r => r.Status == CycleStatus.Skipped);
            // Whoever could not send every request it needed says why; at least 13 sent nothing at all.
            Assert.All(records.Where(r => r.Status != CycleStatus.Ok), r => Assert.Equal(ProviderStatus.QuotaExhausted, r.ProviderStatus));
            Assert.True(records.Count(r => r.RequestsUsed == 0) >= collectors - limit);
            Assert.All(records.Where(r => r.RequestsUsed == 0), r => Assert.Equal(CycleStatus.Failed, r.Status));
            Assert.Contains(harnesses.SelectMany(h => h.Logs.Lines), l =>
                l.Level == LogLevel.Warning && l.Text.Contains("answered quota_exhausted", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var h in harnesses) await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task Of_two_timer_invocations_one_second_apart_the_second_skips_logs_it_and_writes_and_asks_nothing()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 9, 15, 5, 30, 0, TimeSpan.Zero));
        await using var simulator = await CycleSimulator.StartAsync(clock);
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator, time: clock,
            settings: new Dictionary<string, string?> { ["Collector:MinIntervalSeconds"] = "60" });
        var timer = new TimerInfo { ScheduleStatus = new ScheduleStatus { Next = clock.GetUtcNow().UtcDateTime.AddMinutes(5) } };

        await Invoke(harness, timer);
        var requestsAfterFirst = simulator.RequestCount;
        var operationsAfterFirst = harness.TableOperations.Count;
        var quotaAfterFirst = await harness.QuotaAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        await Invoke(harness, timer);

        // The first ran and was recorded.
        Assert.Equal(2, requestsAfterFirst);
        var record = Assert.Single(await harness.CycleRecordsAsync());
        Assert.Equal(CycleStatus.Ok, record.Status);
        Assert.Equal("timer", record.Trigger);
        // The second only read the lease and counted its skip (read + write of the hour's counter row): no request,
        // no reservation, no cycle record, no other write.
        Assert.Equal(requestsAfterFirst, simulator.RequestCount);
        Assert.Equal(quotaAfterFirst.Reserved, (await harness.QuotaAsync()).Reserved);
        Assert.Equal(3, harness.TableOperations.Count - operationsAfterFirst);
        var counts = Assert.Single(await harness.Services.GetRequiredService<CycleLease>().ReadSkipCountsAsync(
            clock.GetUtcNow().AddHours(-1), clock.GetUtcNow().AddHours(1), default));
        Assert.Equal(new Dictionary<string, int> { [LeaseSkipReason.MinInterval] = 1 }, counts.SkippedByReason);
        var skipped = Assert.Single(harness.Logs.Lines, l =>
            l.Category == typeof(CollectionCycle).FullName && l.Text.Contains(" skipped: ", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, skipped.Level);
        Assert.Contains($"min_interval: previous cycle {record.CycleId} started 1 s ago (minimum interval 60 s)", skipped.Text, StringComparison.Ordinal);
        Assert.Equal(2, harness.Logs.Lines.Count(l => l.Category == typeof(CollectTrafficFunction).FullName));
    }

    [Fact]
    public async Task Replaying_the_same_recorded_answers_twice_stores_the_observations_once_and_counts_the_duplicates()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 9, 15, 9, 42, 42, TimeSpan.Zero));
        await using var simulator = await CycleSimulator.StartAsync(clock, replaySet: "2026-09-15");
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator, time: clock,
            settings: new Dictionary<string, string?> { ["Collector:MinIntervalSeconds"] = "60" });

        var first = await harness.RunAsync();
        var rowsAfterFirst = await harness.CountRowsAsync(AyalonTables.Observations);
        var latestAfterFirst = await harness.LatestAsync();
        clock.Advance(TimeSpan.FromMinutes(5));
        var second = await harness.RunAsync();
        var rowsAfterSecond = await harness.CountRowsAsync(AyalonTables.Observations);
        var latestAfterSecond = await harness.LatestAsync();

        Assert.NotEqual(CycleStatus.Skipped, second.Status);
        Assert.True(first.ObservationsStored > 0);
        Assert.Equal(first.ObservationsStored, rowsAfterFirst);
        Assert.True(second.RequestsUsed > 0); // really asked again, and got the same recorded answers
        Assert.Equal(0, second.ObservationsStored);
        Assert.Equal(first.ObservationsStored, second.DuplicateObservations);
        Assert.Equal(rowsAfterFirst, rowsAfterSecond);
        // The latest state still shows the first (and only) copy of that provider data.
        Assert.All(latestAfterSecond.Sections.Values, s => Assert.Equal(first.CycleId, s.CycleId));
        Assert.Equal(latestAfterFirst.Sections.Values.Select(s => s.SnapshotId).Order(), latestAfterSecond.Sections.Values.Select(s => s.SnapshotId).Order());
        Assert.Equal(second.CycleId, latestAfterSecond.LastCycle?.CycleId);
    }

    private static Task Invoke(CycleHarness harness, TimerInfo timer) =>
        ActivatorUtilities.CreateInstance<CollectTrafficFunction>(harness.Services).Run(timer, default);
}
