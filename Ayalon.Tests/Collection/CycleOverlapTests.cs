using Ayalon.Core.Collection;
using Ayalon.Core.Impact;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.DevHost.Simulator;
using Ayalon.Tests.Quota;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ayalon.Tests.Collection;

/// <summary>
/// Cycles that would overlap (slow answers, a second trigger while one runs, a cycle whose hold lapsed) against
/// Azurite and the simulator: one cycle at a time, nothing written by a cycle that lost the lease, the latest state
/// and the rollups only moving forward, and the outage backoff over a simulated day.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CycleOverlapTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 7, 0, 0, TimeSpan.Zero);

    private static CycleLease Lease(AyalonTables tables, TimeProvider time, int leaseSeconds = 60) =>
        new(tables, new TestOptionsMonitor<CollectorOptions>(new CollectorOptions { MinIntervalSeconds = 60, LeaseSeconds = leaseSeconds }),
            time, NullLogger<CycleLease>.Instance);

    [Fact]
    public async Task A_running_cycle_keeps_the_lease_by_heartbeat_past_its_expiry_and_a_second_cycle_skips_as_cycle_running()
    {
        var clock = new FakeTimeProvider(T0);
        var tables = azurite.NewTables();
        var lease = Lease(tables, clock);
        var first = await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-A", lease.DefaultMinInterval, default);
        await using var hold = first.Hold!;
        hold.StartHeartbeat();

        // Five minutes of a slow cycle, in 10 s steps: the heartbeat (every 20 s) renews the 60 s hold throughout.
        for (var i = 0; i < 30; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            await WaitUntilAsync(() => hold.Renewals >= (i + 1) / 2);
        }
        var second = await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-B", lease.DefaultMinInterval, default);
        Assert.True(await hold.ReleaseAsync("ok", null, default));
        var third = await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-C", lease.DefaultMinInterval, default);

        Assert.True(first.Acquired);
        Assert.False(hold.Lost);
        Assert.True(hold.Renewals >= 14, $"{hold.Renewals} renewals");
        Assert.False(second.Acquired);
        Assert.Equal(LeaseSkipReason.CycleRunning, second.SkipCode);
        Assert.StartsWith("cycle_running: cycle cycle-A started 300 s ago and is still running", second.SkipReason);
        Assert.True(third.Acquired); // released: the next cycle need not wait for the hold to lapse
        var counts = Assert.Single(await lease.ReadSkipCountsAsync(T0, T0.AddHours(1), default));
        Assert.Equal(new Dictionary<string, int> { [LeaseSkipReason.CycleRunning] = 1 }, counts.SkippedByReason);
    }

    [Fact]
    public async Task A_hold_that_lapsed_is_taken_over_and_the_old_holder_learns_it_has_lost()
    {
        var clock = new FakeTimeProvider(T0);
        var lease = Lease(azurite.NewTables(), clock);
        var first = await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-A", lease.DefaultMinInterval, default);
        await using var hold = first.Hold!; // no heartbeat: a process that froze

        clock.Advance(TimeSpan.FromSeconds(61));
        var second = await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-B", lease.DefaultMinInterval, default);

        Assert.True(second.Acquired);
        Assert.False(await hold.RenewAsync(default));
        Assert.True(hold.Lost);
        await Assert.ThrowsAsync<LeaseLostException>(() => hold.EnsureHeldAsync(default));
        Assert.False(await hold.ReleaseAsync("ok", null, default)); // the new holder's claim stands
        Assert.True(await second.Hold!.RenewAsync(default));
    }

    [Fact]
    public async Task Two_cycles_started_together_on_one_storage_with_slow_answers_run_one_at_a_time_and_the_state_only_moves_forward()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        var prefix = AzuriteFixture.NewTablePrefix();
        await using var a = CycleHarness.Create(azurite.ConnectionString, simulator, tablePrefix: prefix);
        await using var b = CycleHarness.Create(azurite.ConnectionString, simulator, tablePrefix: prefix);
        var seen = new List<LatestState>();
        var good = await a.RunAsync();
        seen.Add(await a.LatestAsync());

        for (var round = 0; round < 3; round++)
        {
            simulator.Faults.Set(FaultKind.None, 2, 600); // each cycle's answers are slow: a second trigger arrives meanwhile
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var runA = Task.Run(async () => { await go.Task; return await a.RunAsync("timer"); });
            var runB = Task.Run(async () => { await go.Task; await Task.Delay(150); return await b.RunAsync("timer"); });
            go.SetResult();
            var records = await Task.WhenAll(runA, runB);
            seen.Add(await a.LatestAsync());

            Assert.Single(records, r => r.Status == CycleStatus.Skipped);
            var ran = Assert.Single(records, r => r.Status != CycleStatus.Skipped);
            Assert.Equal(CycleStatus.Ok, ran.Status);
            Assert.StartsWith(LeaseSkipReason.CycleRunning + ": ", records.Single(r => r.Status == CycleStatus.Skipped).Message);
        }

        // The latest state never moved back, section by section.
        for (var i = 1; i < seen.Count; i++)
        {
            foreach (var (id, now) in seen[i].Sections)
            {
                Assert.True(now.ObservedAtUtc >= seen[i - 1].Sections[id].ObservedAtUtc, $"{id} moved back");
            }
        }
        // Every section-hour holds no more observed time than the hour had up to now.
        var hours = await new RollupStore(a.Inspect).ReadAsync(good.StartedAtUtc.AddHours(-2), DateTimeOffset.UtcNow.AddHours(1),
            CycleHarness.Corridor.Sections.Select(s => s.Id).ToList(), default);
        Assert.NotEmpty(hours);
        Assert.All(hours, h => Assert.True(h.ObservedSeconds <= Math.Min(3600, (DateTimeOffset.UtcNow - h.HourStartUtc).TotalSeconds),
            $"{h.SectionId} {h.HourStartUtc:HH}: {h.ObservedSeconds} s"));
        Assert.Equal(simulator.RequestCount, (await a.CycleRecordsAsync()).Sum(r => r.RequestsUsed));
        Assert.Equal(3, (await new CycleLease(a.Inspect, a.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<CollectorOptions>>(),
                TimeProvider.System, NullLogger<CycleLease>.Instance).ReadSkipCountsAsync(good.StartedAtUtc.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), default))
            .Sum(c => c.SkippedByReason.GetValueOrDefault(LeaseSkipReason.CycleRunning)));
    }

    [Fact]
    public async Task A_cycle_that_lost_the_lease_while_waiting_for_the_provider_records_its_requests_and_writes_no_data()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator);
        var good = await harness.RunAsync();
        var observationsBefore = await harness.CountRowsAsync(AyalonTables.Observations);
        var rawBefore = await harness.CountRowsAsync(AyalonTables.RawResponses);
        var latestBefore = await harness.LatestAsync();

        simulator.Faults.Set(FaultKind.None, 1, 1500);
        var requestsBefore = simulator.RequestCount;
        var running = harness.RunAsync();
        await WaitUntilAsync(() => simulator.RequestCount > requestsBefore);
        // Another instance took the lease (as if this one's hold had lapsed): its claim replaced the row.
        var leases = await harness.Inspect.GetAsync(AyalonTables.CycleLeases);
        var row = (await leases.GetEntityAsync<TableEntity>("lease", CycleLease.CollectionLease)).Value;
        row["Holder"] = "cycle-thief";
        await leases.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        var lost = await running;

        Assert.Equal(CycleStatus.Failed, lost.Status);
        Assert.StartsWith("lease_lost: ", lost.Message);
        Assert.Equal(0, lost.ObservationsStored);
        Assert.Equal(observationsBefore, await harness.CountRowsAsync(AyalonTables.Observations));
        Assert.Equal(rawBefore, await harness.CountRowsAsync(AyalonTables.RawResponses));
        var latestAfter = await harness.LatestAsync();
        Assert.Equal(good.CycleId, latestAfter.LastCycle?.CycleId);
        Assert.Equal(latestBefore.Sections.Values.Select(s => s.ObservedAtUtc), latestAfter.Sections.Values.Select(s => s.ObservedAtUtc));
        // What it spent is still counted: its record and the ledger.
        Assert.Equal([good.CycleId, lost.CycleId], (await harness.CycleRecordsAsync()).Select(c => c.CycleId));
        Assert.Equal(simulator.RequestCount, lost.RequestsUsed + good.RequestsUsed);
        var quota = await harness.QuotaAsync();
        Assert.Equal(simulator.RequestCount, quota.Succeeded + quota.Failed);
        Assert.Equal("cycle-thief", (await leases.GetEntityAsync<TableEntity>("lease", CycleLease.CollectionLease)).Value.GetString("Holder"));
    }

    [Fact]
    public async Task The_latest_state_refuses_an_observation_older_than_the_one_it_holds()
    {
        var tables = azurite.NewTables();
        var store = new LatestStateStore(tables);
        var newer = Observation("s1", T0.AddSeconds(44), "new");
        var older = Observation("s1", T0.AddSeconds(38), "old");
        var cycleB = Cycle("cycle-B", T0.AddSeconds(30));
        var cycleA = Cycle("cycle-A", T0);

        Assert.Equal(1, await store.WriteAsync([newer], cycleB, default));
        var moved = await store.WriteAsync([older], cycleA, default);
        var state = await store.ReadAsync(default);

        Assert.Equal(0, moved);
        Assert.Equal(T0.AddSeconds(44), state.Sections["s1"].ObservedAtUtc);
        Assert.Equal("new", state.Sections["s1"].SnapshotId);
        Assert.Equal("cycle-B", state.LastCycle?.CycleId); // the older cycle does not become "the last cycle" either
    }

    [Fact]
    public async Task A_hold_written_twice_counts_once_and_a_hold_overlapping_a_counted_one_is_refused()
    {
        var store = new RollupStore(azurite.NewTables());
        var hour = new DateTimeOffset(2026, 11, 29, 22, 0, 0, TimeSpan.Zero);
        SectionHourContribution Hold(int fromSecond, int untilSecond) => new("s1", hour.AddSeconds(untilSecond),
            new HourContribution(hour, untilSecond - fromSecond, 10.0 * (untilSecond - fromSecond), null, 0, 10, 10), hour.AddSeconds(fromSecond));

        await store.ApplyAsync([Hold(0, 38)], default);
        await store.ApplyAsync([Hold(0, 38)], default);    // the same hold again (a retried cycle)
        await store.ApplyAsync([Hold(0, 44)], default);    // an overtaken cycle's hold from the same start
        await store.ApplyAsync([Hold(38, 300)], default);  // the next hold
        var rows = await store.ReadAsync(hour, hour.AddHours(1), ["s1"], default);

        Assert.Equal(300, Assert.Single(rows).ObservedSeconds);
        Assert.Equal(3000, rows[0].DelayIntegralSecondsSquared);
    }

    [Fact]
    public async Task A_24_hour_provider_outage_costs_a_few_probes_an_hour_with_each_skip_recorded_and_collection_resumes_after()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero));
        await using var simulator = await CycleSimulator.StartAsync(clock);
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator, time: clock,
            settings: new Dictionary<string, string?> { ["Collector:MinIntervalSeconds"] = "60", ["Traffic:Providers"] = "tomtom" });
        Assert.Equal(CycleStatus.Ok, (await harness.RunAsync()).Status);
        clock.Advance(TimeSpan.FromMinutes(5));

        simulator.Faults.Set(FaultKind.ServerError);
        var before = simulator.RequestCount;
        var records = new List<CycleRecord>();
        for (var i = 0; i < 288; i++) // 24 h at the 5-minute cadence
        {
            records.Add(await harness.RunAsync("timer"));
            clock.Advance(TimeSpan.FromMinutes(5));
        }
        var outageRequests = simulator.RequestCount - before;
        simulator.Faults.Clear();
        var recovered = new List<CycleRecord>();
        for (var i = 0; i < 7 && recovered.LastOrDefault()?.Status != CycleStatus.Ok; i++)
        {
            recovered.Add(await harness.RunAsync("timer"));
            clock.Advance(TimeSpan.FromMinutes(5));
        }

        var asked = records.Where(r => r.RequestsUsed > 0).ToList();
        var skipped = records.Where(r => r.Status == CycleStatus.Skipped).ToList();
        output.WriteLine($"24 h outage (5xx on every request), 288 cycles: {outageRequests} requests in {asked.Count} probing cycles, " +
                         $"{skipped.Count} cycles skipped as provider_backoff; without the backoff and the stop rule: {288 * 12} requests");
        Assert.All(asked, r => Assert.Equal(2, r.RequestsUsed)); // one request and its retry, then the turn ends
        Assert.Equal(288, asked.Count + skipped.Count);
        Assert.All(skipped, r => Assert.Equal(ProviderStatus.ProviderBackoff, Assert.Single(r.Providers!).Status));
        Assert.All(skipped, r => Assert.StartsWith("provider_backoff: tomtom provider_backoff: ", r.Message));
        // Steady state: one probe per 30 minutes (the cap), i.e. 48 probes a day plus the first few of the ramp.
        Assert.InRange(asked.Count, 48, 54);
        Assert.Equal(2 * asked.Count, outageRequests);
        // Quota used during the outage is recorded exactly: simulator = ledger = Σ attempts.
        var ledger = await harness.Services.GetRequiredService<Ayalon.Core.Quota.QuotaLedger>().GetHistoryAsync("tomtom",
            new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), clock.GetUtcNow(), default);
        Assert.Equal(simulator.RequestCount, ledger.Sum(q => q.Reserved));
        Assert.Equal(simulator.RequestCount, ledger.Sum(q => q.Succeeded + q.Failed));
        Assert.Equal(simulator.RequestCount, (await harness.CycleRecordsAsync()).Sum(r => r.Attempts.Count));
        // Back within the cap (at most 30 min), and the backoff ends on the first answer.
        Assert.Equal(CycleStatus.Ok, recovered[^1].Status);
        Assert.True(recovered.Count <= 7);
    }

    private static StoredObservation Observation(string sectionId, DateTimeOffset at, string snapshot) =>
        new(sectionId, "northbound", at, snapshot, ObservationState.Ok, 1, 100, 80, 20, 50, 62, false, "p", "t", "tomtom", "c", "2", "1");

    private static CycleRecord Cycle(string id, DateTimeOffset startedAt) =>
        new(id, "test", startedAt, startedAt.AddSeconds(5), CycleStatus.Ok, ProviderStatus.Ok, "tomtom", 1, 1, 1, 1, 0, 0, [], null, "2");

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
