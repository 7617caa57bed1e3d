using Ayalon.Core.Impact;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.DevHost.Simulator;

namespace Ayalon.Tests.Collection;

/// <summary>
/// Every fault the simulator offers, through the real cycle, Azurite and the real TomTom client: the right provider
/// status, every request charged exactly once in the ledger (counted against the simulator), no invented
/// observation, and the last-known-good left as it was.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CycleFaultTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly int Sections = CycleHarness.Corridor.Sections.Count;

    /// <summary>
    /// The fault (on every request until cleared), the status the cycle reports, the requests it must send, and
    /// whether each section was asked twice (the single retry, on timeout/5xx only).
    /// </summary>
    public static TheoryData<FaultKind, string, int, bool> Faults => new()
    {
        // A stop status: asking again in this cycle only burns quota.
        { FaultKind.NoCoverage, ProviderStatus.NoCoverage, 1, false },
        { FaultKind.Forbidden, ProviderStatus.AuthError, 1, false },
        { FaultKind.RateLimited, ProviderStatus.RateLimited, 1, false },
        // 5xx and timeouts: one extra attempt, then the provider is down for this cycle (not asked for the other
        // midpoints: that cost 12 requests per cycle before).
        { FaultKind.ServerError, ProviderStatus.HttpError, 2, true },
        { FaultKind.Unavailable, ProviderStatus.HttpError, 2, true },
        { FaultKind.TomTom596, ProviderStatus.HttpError, 2, true },
        { FaultKind.Timeout, ProviderStatus.NetworkError, 2, true },
        // A bad body is refused, never retried; the next section is still asked.
        { FaultKind.MalformedJson, ProviderStatus.ParseError, Sections, false },
        { FaultKind.TruncatedJson, ProviderStatus.ParseError, Sections, false },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_provider_fault_is_recorded_with_its_status_charged_request_by_request_and_invents_nothing(
        FaultKind fault, string expectedStatus, int expectedRequests, bool retried)
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator);
        var good = await harness.RunAsync();
        Assert.Equal(CycleStatus.Ok, good.Status);
        var before = await SnapshotAsync(harness, simulator);
        Assert.Equal(Sections, before.Latest.Sections.Count); // a last-known-good to keep

        simulator.Faults.Set(fault);
        var faulty = await harness.RunAsync();
        var after = await SnapshotAsync(harness, simulator);

        // The right status, and exactly the requests the rules allow.
        Assert.Equal(CycleStatus.Failed, faulty.Status);
        Assert.Equal(expectedStatus, faulty.ProviderStatus);
        Assert.Equal(expectedRequests, after.SimulatorRequests - before.SimulatorRequests);
        Assert.Equal(expectedRequests, faulty.RequestsUsed);
        Assert.Equal(expectedRequests, faulty.Attempts.Count);
        Assert.All(faulty.Attempts, a => Assert.Equal(expectedStatus, a.Status));
        Assert.All(faulty.Attempts.GroupBy(a => a.SectionId), g => Assert.Equal(retried ? 2 : 1, g.Count()));

        // Every request charged once: the ledger moved exactly as much as the simulator counted.
        Assert.Equal(after.SimulatorRequests - before.SimulatorRequests, after.Quota.Reserved - before.Quota.Reserved);
        Assert.Equal(expectedRequests, after.Quota.Failed - before.Quota.Failed);
        Assert.Equal(before.Quota.Succeeded, after.Quota.Succeeded);
        Assert.Equal(expectedRequests, after.Quota.ByStatus.GetValueOrDefault(expectedStatus) - before.Quota.ByStatus.GetValueOrDefault(expectedStatus));

        // Nothing invented: no observation, the last-known-good rows untouched, the last good cycle still the good one.
        Assert.Equal(0, faulty.ObservationsStored);
        Assert.Equal(0, faulty.SectionsMeasured);
        Assert.Equal(before.ObservationRows, after.ObservationRows);
        Assert.Equal(before.LatestRows, after.LatestRows);
        Assert.Equal(good.CycleId, after.Latest.LastSuccessfulCycle?.CycleId);
        Assert.Equal(faulty.CycleId, after.Latest.LastCycle?.CycleId);
        Assert.Contains(expectedStatus, faulty.Message);
    }

    [Fact]
    public async Task A_no_coverage_answer_stops_the_cycle_after_the_first_request()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator);
        simulator.Faults.Set(FaultKind.NoCoverage);

        var cycle = await harness.RunAsync();

        Assert.Equal(1, simulator.RequestCount);
        var attempt = Assert.Single(cycle.Attempts);
        Assert.Equal(CycleHarness.Corridor.Sections[0].Id, attempt.SectionId);
        Assert.Equal(400, attempt.HttpStatus);
        Assert.Equal(ProviderStatus.NoCoverage, cycle.ProviderStatus);
        Assert.Equal(1, (await harness.QuotaAsync()).Reserved);
        Assert.Equal(0, await harness.CountRowsAsync(AyalonTables.Observations));
    }

    [Fact]
    public async Task A_single_5xx_is_retried_once_and_the_cycle_completes_with_every_request_charged()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator);
        simulator.Faults.Set(FaultKind.Unavailable, count: 1);

        var cycle = await harness.RunAsync();
        var quota = await harness.QuotaAsync();

        Assert.Equal(CycleStatus.Ok, cycle.Status);
        Assert.Equal(ProviderStatus.Ok, cycle.ProviderStatus);
        Assert.Equal([ProviderStatus.HttpError, ProviderStatus.Ok, ProviderStatus.Ok], cycle.Attempts.Select(a => a.Status));
        Assert.Equal(3, simulator.RequestCount);
        Assert.Equal(3, quota.Reserved);
        Assert.Equal(2, quota.Succeeded);
        Assert.Equal(1, quota.Failed);
    }

    [Fact]
    public async Task Low_confidence_answers_are_dropped_and_leave_the_last_known_good_as_it_was()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator);
        var good = await harness.RunAsync();
        var before = await SnapshotAsync(harness, simulator);

        simulator.Faults.Set(FaultKind.LowConfidence);
        var faulty = await harness.RunAsync();
        var after = await SnapshotAsync(harness, simulator);

        // The provider answered (charged as successes), but nothing below the confidence floor is used, and the
        // cycle says so with its own status instead of "ok".
        Assert.Equal(ProviderStatus.LowConfidence, faulty.ProviderStatus);
        Assert.Equal(ProviderStatus.LowConfidence, Assert.Single(faulty.Providers!).Status);
        Assert.Contains("below the confidence floor", faulty.Message);
        Assert.All(faulty.Attempts, a => Assert.Equal(ProviderStatus.Ok, a.Status));
        Assert.Equal(CycleStatus.Failed, faulty.Status);
        Assert.True(faulty.DroppedLowConfidence > 0);
        Assert.Equal(after.SimulatorRequests - before.SimulatorRequests, faulty.RequestsUsed);
        Assert.Equal(faulty.RequestsUsed, after.Quota.Reserved - before.Quota.Reserved);
        Assert.Equal(faulty.RequestsUsed, after.Quota.Succeeded - before.Quota.Succeeded);
        Assert.Equal(0, faulty.ObservationsStored);
        Assert.Equal(before.ObservationRows, after.ObservationRows);
        Assert.Equal(before.LatestRows, after.LatestRows);
        Assert.Equal(good.CycleId, after.Latest.LastSuccessfulCycle?.CycleId);
    }

    [Fact]
    public async Task A_road_closure_is_stored_as_a_closed_observation_not_as_a_speed()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator);
        await harness.RunAsync();
        var before = await SnapshotAsync(harness, simulator);

        simulator.Faults.Set(FaultKind.RoadClosure);
        var closed = await harness.RunAsync();
        var after = await SnapshotAsync(harness, simulator);

        Assert.Equal(ProviderStatus.Ok, closed.ProviderStatus);
        Assert.Equal(2, closed.RequestsUsed); // one whole carriageway per answer, as for open roads
        Assert.Equal(closed.RequestsUsed, after.SimulatorRequests - before.SimulatorRequests);
        Assert.Equal(closed.RequestsUsed, after.Quota.Reserved - before.Quota.Reserved);
        Assert.Equal(Sections, closed.ObservationsStored);
        Assert.Equal(CycleStatus.Ok, closed.Status); // a closure is a measured road state, not a failed collection
        Assert.Equal(before.ObservationRows + Sections, after.ObservationRows);
        Assert.All(after.Latest.Sections.Values, s =>
        {
            Assert.Equal(ObservationState.Closed, s.State);
            Assert.Equal(closed.CycleId, s.CycleId);
            Assert.Null(s.DelaySeconds);
            Assert.Null(s.SpeedKmh);
        });
    }

    private sealed record StateSnapshot(
        int SimulatorRequests,
        Ayalon.Core.Quota.QuotaStatus Quota,
        int ObservationRows,
        string LatestRows,
        LatestState Latest);

    private static async Task<StateSnapshot> SnapshotAsync(CycleHarness harness, TrafficSimulator simulator)
    {
        var latest = await harness.LatestAsync();
        var rows = string.Join("\n", latest.Sections.Values.OrderBy(s => s.SectionId, StringComparer.Ordinal)
            .Select(s => CycleHarness.Invariant($"{s.SectionId} {s.State} {s.SnapshotId} {s.ObservedAtUtc:O} {s.DelaySeconds} {s.CycleId}")));
        return new StateSnapshot(simulator.RequestCount, await harness.QuotaAsync(),
            await harness.CountRowsAsync(AyalonTables.Observations), rows, latest);
    }
}
