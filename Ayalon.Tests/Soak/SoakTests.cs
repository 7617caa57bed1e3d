using System.Globalization;
using System.Text.Json;
using Ayalon.Core.Traffic;
using Ayalon.DevHost.Simulator;
using Xunit.Abstractions;

namespace Ayalon.Tests.Soak;

/// <summary>
/// What must hold after weeks of collection under every fault (see <see cref="SoakScenarios"/>): each invariant is
/// checked on both runs of <see cref="SoakFixture"/>, and a failure names the run, the figures and the first breaches.
/// </summary>
[Trait("Category", "Integration")]
[Collection(SoakCollection.Name)]
public sealed class SoakTests(SoakFixture soak, ITestOutputHelper output)
{
    [Fact]
    public void Every_provider_request_is_in_the_ledger_and_in_a_cycle_record()
    {
        var failures = new List<string>();
        foreach (var (name, run, f) in soak.Runs)
        {
            output.WriteLine(Summary(name, run, f));
            if (f.SimulatorRequests != f.LedgerReserved || f.SimulatorRequests != f.RecordedAttempts || f.RecordedAttempts != f.RecordedRequestsUsed)
            {
                failures.Add($"{name}: simulator answered {f.SimulatorRequests} requests, ledger reserved {f.LedgerReserved} " +
                             $"({string.Join(", ", f.LedgerReservedByProvider.Select(p => $"{p.Key} {p.Value}"))}), cycle records hold " +
                             $"{f.RecordedAttempts} attempts (requestsUsed Σ {f.RecordedRequestsUsed}) in {f.CycleRecords.Count} records");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.All(soak.Runs, r => Assert.True(r.Figures.SimulatorRequests > 0, $"{r.Name}: the soak sent no request"));
    }

    [Fact]
    public void No_observation_is_stored_twice()
    {
        var failures = new List<string>();
        foreach (var (name, _, f) in soak.Runs)
        {
            Assert.NotEmpty(f.Observations);
            var sameKey = f.Observations.GroupBy(o => (o.PartitionKey, o.RowKey)).Where(g => g.Count() > 1).ToList();
            var sameSnapshot = f.Observations.GroupBy(o => (o.SectionId, o.SnapshotId)).Where(g => g.Count() > 1).ToList();
            if (sameKey.Count + sameSnapshot.Count > 0)
            {
                failures.Add($"{name}: {f.Observations.Count} rows, {sameKey.Count} keys twice, {sameSnapshot.Count} section snapshots stored more than once, e.g. " +
                             string.Join("; ", sameSnapshot.Take(3).Select(g => $"{g.Key.SectionId} {g.Key.SnapshotId} at " +
                                 string.Join(", ", g.Select(o => o.ObservedAtUtc.ToString("O", CultureInfo.InvariantCulture))))));
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void The_latest_state_never_moves_back_in_observation_time()
    {
        AssertNoViolations(SoakViolation.LatestMovedBack);
    }

    [Fact]
    public void No_section_hour_holds_more_observed_time_than_the_hour_has()
    {
        var failures = new List<string>();
        foreach (var (name, _, f) in soak.Runs)
        {
            Assert.NotEmpty(f.Rollups);
            var over = f.Rollups.Where(h => h.ObservedSeconds > 3600 + 1e-6).ToList();
            if (over.Count > 0)
            {
                failures.Add($"{name}: {over.Count} of {f.Rollups.Count} section-hours hold more than 3600 s, e.g. " +
                             string.Join("; ", over.OrderByDescending(h => h.ObservedSeconds).Take(5)
                                 .Select(h => $"{h.SectionId} {h.HourStartUtc:yyyy-MM-dd HH}h {h.ObservedSeconds:0.#} s")));
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Impact_never_shows_a_section_current_on_data_older_than_the_hold()
    {
        Assert.All(soak.Runs, r => Assert.True(r.Run.ImpactChecks > 0, $"{r.Name}: /api/impact was never built"));
        AssertNoViolations(SoakViolation.CurrentOnOldData);
    }

    [Fact]
    public void Today_never_counts_more_time_than_the_local_day_has_had_across_the_DST_change()
    {
        // The 14-day run checked /api/impact on the 25-hour local day of 2026-10-25, and on both sides of it.
        var checkedDays = soak.OnDisk.Cycles.Select(c => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(c.OccurrenceUtc, SoakRun.Israel).DateTime)).ToHashSet();
        Assert.Contains(new DateOnly(2026, 10, 24), checkedDays);
        Assert.Contains(new DateOnly(2026, 10, 25), checkedDays);
        Assert.Contains(new DateOnly(2026, 10, 26), checkedDays);
        AssertNoViolations(SoakViolation.TodayTooLong);
    }

    [Fact]
    public void Every_fault_was_met_and_collection_went_on()
    {
        AssertNoViolations(SoakViolation.NotStaged);
        var outcomes = soak.OnDisk.SimulatorOutcomes;
        // A request held by the timeout fault ends when the app gives up on it: the simulator logs it "aborted".
        var missing = SoakScenarios.ProviderFaults
            .Select(k => k == FaultKind.Timeout ? "aborted" : "fault:" + JsonSerializer.Serialize(k).Trim('"'))
            .Where(label => !outcomes.ContainsKey(label)).ToList();
        Assert.True(missing.Count == 0, "the simulator never served " + string.Join(", ", missing));
        Assert.Contains(soak.OnDiskFigures.CycleRecords.SelectMany(c => c.Attempts), a => a.Detail == ErrorDetails.Timeout);
        foreach (var shape in new[] { "duplicate firing", "two hosts", "overlap: slow cycle", "overlap: collect-now during the slow cycle", "storage lost mid-cycle" })
        {
            Assert.Contains(soak.OnDisk.Cycles, c => c.Shape == shape);
        }
        Assert.Contains(soak.OnDisk.Log, l => l.Contains("storage stopped (on disk)", StringComparison.Ordinal));
        Assert.Contains(soak.OnDisk.Log, l => l.Contains("host restart", StringComparison.Ordinal));

        foreach (var (name, run, _) in soak.Runs)
        {
            var collected = run.Cycles.Count(c => c.Collected);
            output.WriteLine($"{name}: {collected} of {run.ScheduleOccurrences} occurrences collected");
            Assert.True(collected >= 0.8 * run.ScheduleOccurrences,
                $"{name}: only {collected} cycles collected of {run.ScheduleOccurrences} schedule occurrences; outcomes " + Outcomes(run));
        }
    }

    [Fact]
    public void Collection_resumes_within_three_cycles_after_storage_comes_back()
    {
        var failures = new List<string>();
        foreach (var (name, run, _) in soak.Runs)
        {
            Assert.NotEmpty(run.StorageBackAtUtc);
            foreach (var back in run.StorageBackAtUtc)
            {
                var next = run.Cycles.Where(c => c.OccurrenceUtc >= back).OrderBy(c => c.OccurrenceUtc).Take(3).ToList();
                if (!next.Any(c => c.Collected))
                {
                    failures.Add($"{name}: storage back at {back:O}, next cycles: " + string.Join(", ", next.Select(c => $"{c.OccurrenceUtc:HH:mm} {c.Outcome}")) +
                                 $"; first collected after it: {run.Cycles.FirstOrDefault(c => c.OccurrenceUtc >= back && c.Collected)?.OccurrenceUtc:O}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private void AssertNoViolations(string kind)
    {
        var failures = soak.Runs.SelectMany(r =>
        {
            var found = r.Run.ViolationsOf(kind);
            return found.Count == 0 ? [] : new[] { $"{r.Name}: {found.Count} × {kind}, first: " + string.Join("\n  ", found.Take(5)) };
        }).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string Outcomes(SoakRun run) =>
        string.Join(", ", run.Cycles.GroupBy(c => c.Outcome).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));

    private static string Summary(string name, SoakRun run, SoakFigures f) =>
        $"{name}: {run.StartUtc:yyyy-MM-dd HH:mm} → {run.EndUtc:yyyy-MM-dd HH:mm} UTC in {run.WallTime.TotalSeconds:0.0} s wall; " +
        $"{run.ScheduleOccurrences} occurrences, {run.Cycles.Count} cycles ({Outcomes(run)}); {run.ImpactChecks} /api/impact checks; " +
        $"simulator {f.SimulatorRequests} requests, ledger {f.LedgerReserved}, recorded attempts {f.RecordedAttempts}; " +
        $"{f.Observations.Count} observations, {f.Rollups.Count} section-hours; simulator answers: " +
        string.Join(", ", run.SimulatorOutcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));
}
