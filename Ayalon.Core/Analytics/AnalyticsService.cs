using Ayalon.Core.Collection;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Quota;
using Ayalon.Core.ReadModels;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Microsoft.Extensions.Configuration;

namespace Ayalon.Core.Analytics;

public sealed record AnalyticsResponse(
    string Window,
    DateTimeOffset FromUtc,
    DateTimeOffset ToUtc,
    CycleAnalytics Cycles,
    ProviderCallAnalytics ProviderCalls,
    IReadOnlyList<QuotaSummary> Quotas,
    LatencyAnalytics LatencyMs,
    CoverageAnalytics Coverage,
    UptimeAnalytics Uptime,
    ScheduleAnalytics Schedule);

public sealed record CycleAnalytics(int Total, IReadOnlyDictionary<string, int> ByStatus, double? SuccessRate);

public sealed record ProviderCallAnalytics(int Total, IReadOnlyDictionary<string, int> ByStatus);

public sealed record LatencyAnalytics(double? CycleP50, double? CycleP95, double? ProviderP50, double? ProviderP95);

/// <param name="MeanSectionCoverage">Mean of the stored observations' coverage (matched share of each section's length).</param>
/// <param name="SectionsMeasuredRate">Sections measured with a value / sections asked, over the cycles that ran.</param>
/// <param name="ObservedTimeFraction">Mean over sections of step-hold observed time / time since the window's first cycle.</param>
public sealed record CoverageAnalytics(double? MeanSectionCoverage, double? SectionsMeasuredRate, double? ObservedTimeFraction);

public sealed record UptimeAnalytics(DateTimeOffset? FirstCycleUtc, double? SinceFirstCycleSeconds, double? UptimePercent);

/// <summary>How the collector kept to <c>Collector:Schedule</c> over the window.</summary>
/// <param name="FromUtc">Where expected cycles start counting: the later of the window start and the first recorded cycle's slot.</param>
/// <param name="ExpectedCycles">The schedule's occurrences from <paramref name="FromUtc"/> up to now.</param>
/// <param name="RanCycles">Cycles that ran (ok, partial or failed) since <paramref name="FromUtc"/>, whatever triggered them.</param>
/// <param name="SkippedCycles">Cycles that skipped (another cycle held the lease, quota pacing, backoff).</param>
/// <param name="MissedCycles">Expected occurrences with no cycle at all, neither run nor recorded skip.</param>
/// <param name="AdherencePercent">Expected occurrences in which a cycle ran, in percent.</param>
public sealed record ScheduleAnalytics(
    string Expression,
    double IntervalSeconds,
    DateTimeOffset? FromUtc,
    DateTimeOffset NextCycleUtc,
    int ExpectedCycles,
    int RanCycles,
    int SkippedCycles,
    int MissedCycles,
    double? AdherencePercent);

/// <summary>
/// GET /api/analytics: operating figures over a window, from persisted cycle records, observations, rollups and the
/// quota ledger only — never in-process counters, which restart with the process and differ per instance. Expected
/// cycles, uptime slots and the next cycle come from the one <see cref="CycleSchedule"/>.
/// </summary>
public sealed class AnalyticsService(
    CorridorDefinition corridor, CycleStore cycles, ObservationStore observations, RollupReader rollups, QuotaLedger ledger,
    CycleLease lease, CycleSchedule schedule, IConfiguration configuration, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Windows = ["24h", "7d", "30d"];

    public async Task<AnalyticsResponse> GetAsync(string window, CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        var from = to - window switch { "7d" => TimeSpan.FromDays(7), "30d" => TimeSpan.FromDays(30), _ => TimeSpan.FromHours(24) };
        var records = await cycles.ReadAsync(from, to.AddTicks(1), cancellationToken).ConfigureAwait(false);

        var byStatus = new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            [CycleStatus.Ok] = 0, [CycleStatus.Partial] = 0, [CycleStatus.Failed] = 0, [CycleStatus.Skipped] = 0,
        };
        foreach (var c in records) byStatus[c.Status] = byStatus.GetValueOrDefault(c.Status) + 1;
        var ran = records.Where(c => c.Status != CycleStatus.Skipped).ToList();
        double? successRate = ran.Count > 0 ? Round.Fraction((double)ran.Count(c => c.Status is CycleStatus.Ok or CycleStatus.Partial) / ran.Count) : null;

        var attempts = ran.SelectMany(c => c.Attempts).ToList();
        var calls = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in ProviderStatus.All) calls[s] = 0;
        foreach (var a in attempts) calls[a.Status] = calls.GetValueOrDefault(a.Status) + 1;

        var quotas = await ledger.GetCurrentStatusesAsync(QuotaOptions.ProviderOrder(configuration), cancellationToken).ConfigureAwait(false);

        var cycleMs = ran.Select(c => c.DurationMs).ToList();
        var providerMs = attempts.Select(a => a.ElapsedMs).ToList();
        var latency = new LatencyAnalytics(Percentile(cycleMs, 50), Percentile(cycleMs, 95), Percentile(providerMs, 50), Percentile(providerMs, 95));

        var coverage = await CoverageAsync(records, ran, from, to, cancellationToken).ConfigureAwait(false);
        var firstEver = await cycles.ReadFirstStartAsync(cancellationToken).ConfigureAwait(false);
        var skipped = await SkippedCyclesAsync(records, from, to, cancellationToken).ConfigureAwait(false);
        var (scheduleFigures, uptime) = Adherence(schedule, records, firstEver, skipped, from, to);

        return new AnalyticsResponse(window, from, to,
            new CycleAnalytics(records.Count, byStatus, successRate),
            new ProviderCallAnalytics(attempts.Count, calls),
            quotas.Select(QuotaSummary.From).ToList(),
            latency,
            coverage,
            uptime,
            scheduleFigures);
    }

    /// <summary>
    /// Skipped cycles: those the lease turned away (a cycle already running, the minimum interval, a concurrent claim),
    /// counted cheaply on the lease's per-hour counter rows (whole UTC hours overlapping the window), plus the recorded
    /// skips (quota pacing, every provider in backoff), which are cycle records of their own.
    /// </summary>
    private async Task<int> SkippedCyclesAsync(IReadOnlyList<CycleRecord> windowRecords, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        var leaseSkips = await lease.ReadSkipCountsAsync(from, to, cancellationToken).ConfigureAwait(false);
        return leaseSkips.Sum(h => h.Skipped) + windowRecords.Count(c => c.Status == CycleStatus.Skipped);
    }

    private async Task<CoverageAnalytics> CoverageAsync(IReadOnlyList<CycleRecord> records, List<CycleRecord> ran,
        DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var samples = await observations.ReadSamplesAsync(from, to.AddTicks(1), null, cancellationToken).ConfigureAwait(false);
        double? meanCoverage = samples.Count > 0 ? Round.Fraction(samples.Average(o => o.Coverage)) : null;

        var first = records.Count > 0 ? records[0].StartedAtUtc : (DateTimeOffset?)null;
        double? observedTime = null;
        if (first is { } since && to > since)
        {
            // Step-hold observed time per section since the first cycle of the window, from the hourly rollups.
            var hours = await rollups.ReadAsync(LocalTime.FloorHour(since), LocalTime.CeilingHour(to), corridor.Sections.Select(s => s.Id).ToList(), cancellationToken)
                .ConfigureAwait(false);
            var seconds = (to - since).TotalSeconds;
            observedTime = Round.Fraction(corridor.Sections.Average(s =>
                Math.Min(1, hours.Where(h => h.SectionId == s.Id && h.HourStartUtc >= LocalTime.FloorHour(since)).Sum(h => h.ObservedSeconds) / seconds)));
        }
        var totalSections = ran.Sum(c => c.SectionsTotal);
        double? measuredRate = totalSections > 0 ? Round.Fraction((double)ran.Sum(c => c.SectionsMeasured) / totalSections) : null;
        return new CoverageAnalytics(meanCoverage, measuredRate, observedTime);
    }

    /// <summary>
    /// Expected cycles are the schedule's occurrences from the later of the window start and the slot of the first
    /// recorded cycle, up to now. Each cycle belongs to the latest occurrence at or before its start (its slot). A slot
    /// counts as kept when a cycle ran in it (uptime: when one ran ok or partial); missed when no cycle, run or skip,
    /// is recorded in it. The current slot is expected only once it has had its cycle (it may still be about to).
    /// </summary>
    internal static (ScheduleAnalytics Schedule, UptimeAnalytics Uptime) Adherence(CycleSchedule schedule, IReadOnlyList<CycleRecord> records,
        DateTimeOffset? firstEver, int skipped, DateTimeOffset from, DateTimeOffset now)
    {
        var next = schedule.NextAfter(now);
        var ranCount = records.Count(c => c.Status != CycleStatus.Skipped);
        var first = firstEver ?? (records.Count > 0 ? records[0].StartedAtUtc : null);
        if (first is not { } f)
        {
            return (new ScheduleAnalytics(schedule.Expression, schedule.Interval.TotalSeconds, null, next, 0, ranCount, skipped, 0, null),
                new UptimeAnalytics(null, null, null));
        }
        var start = f > from ? schedule.SlotOf(f) : from;
        var occurrences = schedule.OccurrencesBetween(start, now).ToList();
        var seen = new (bool Ran, bool Good, bool Recorded)[occurrences.Count];
        foreach (var c in records)
        {
            // The cycle's slot: the latest occurrence at or before its start.
            var i = occurrences.BinarySearch(c.StartedAtUtc);
            if (i < 0) i = ~i - 1;
            if (i < 0) continue;
            var was = seen[i];
            seen[i] = (was.Ran || c.Status != CycleStatus.Skipped, was.Good || c.Status is CycleStatus.Ok or CycleStatus.Partial, true);
        }
        int expected = 0, kept = 0, good = 0, missed = 0;
        for (var i = 0; i < occurrences.Count; i++)
        {
            // The current slot's cycle may still be on its way: it is expected once it has come.
            if (i == occurrences.Count - 1 && !seen[i].Recorded && schedule.NextAfter(occurrences[i]) > now) continue;
            expected++;
            if (seen[i].Ran) kept++;
            if (seen[i].Good) good++;
            if (!seen[i].Recorded) missed++;
        }
        double? adherence = expected > 0 ? Math.Round(100.0 * kept / expected, 2) : null;
        double? uptime = expected > 0 ? Math.Round(100.0 * good / expected, 2) : null;
        var firstInWindow = records.Count > 0 ? records[0].StartedAtUtc : (DateTimeOffset?)null;
        return (new ScheduleAnalytics(schedule.Expression, schedule.Interval.TotalSeconds, start, next, expected, ranCount, skipped, missed, adherence),
            new UptimeAnalytics(firstInWindow, firstInWindow is { } fw ? Math.Round((now - fw).TotalSeconds, 1) : null, uptime));
    }

    private static double? Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return null;
        values.Sort();
        // Nearest rank: a value that actually occurred.
        var rank = (int)Math.Ceiling(p / 100 * values.Count);
        return Math.Round(values[Math.Clamp(rank - 1, 0, values.Count - 1)], 1);
    }
}
