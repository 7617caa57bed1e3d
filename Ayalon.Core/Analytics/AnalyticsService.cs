using Ayalon.Core.Api;
using Ayalon.Core.Corridor;
using Ayalon.Core.Quota;
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
    UptimeAnalytics Uptime);

public sealed record CycleAnalytics(int Total, IReadOnlyDictionary<string, int> ByStatus, double? SuccessRate);

public sealed record ProviderCallAnalytics(int Total, IReadOnlyDictionary<string, int> ByStatus);

public sealed record LatencyAnalytics(double? CycleP50, double? CycleP95, double? ProviderP50, double? ProviderP95);

public sealed record CoverageAnalytics(double? MeanSectionCoverage, double? SectionsMeasuredRate);

public sealed record UptimeAnalytics(DateTimeOffset? FirstCycleUtc, double? SinceFirstCycleSeconds, double? UptimePercent);

/// <summary>
/// GET /api/analytics: operating figures over a window, from persisted cycle records, rollups and the quota ledger
/// only — never in-process counters, which restart with the process and differ per instance.
/// </summary>
public sealed class AnalyticsService(
    CorridorDefinition corridor, CycleStore cycles, RollupReader rollups, QuotaLedger ledger, IConfiguration configuration, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Windows = ["24h", "7d", "30d"];

    /// <summary>Uptime is counted in slots of the collection schedule's period.</summary>
    public static readonly TimeSpan Slot = TimeSpan.FromMinutes(5);

    public static string ParseWindow(Microsoft.AspNetCore.Http.IQueryCollection query) =>
        ApiQuery.Read(query, ["window"]).OneOf("window", Windows, "24h");

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

        var first = records.Count > 0 ? records[0].StartedAtUtc : (DateTimeOffset?)null;
        double? meanCoverage = null;
        if (first is { } f0 && to > f0)
        {
            // Time coverage per section since the first cycle of the window, from the hourly rollups.
            var since = f0;
            var hours = await rollups.ReadAsync(LocalTime.FloorHour(since), LocalTime.CeilingHour(to), corridor.Sections.Select(s => s.Id).ToList(), cancellationToken)
                .ConfigureAwait(false);
            var seconds = (to - since).TotalSeconds;
            meanCoverage = Round.Fraction(corridor.Sections.Average(s =>
                Math.Min(1, hours.Where(h => h.SectionId == s.Id).Sum(h => h.ObservedSeconds) / seconds)));
        }
        var totalSections = ran.Sum(c => c.SectionsTotal);
        double? measuredRate = totalSections > 0 ? Round.Fraction((double)ran.Sum(c => c.SectionsMeasured) / totalSections) : null;

        return new AnalyticsResponse(window, from, to,
            new CycleAnalytics(records.Count, byStatus, successRate),
            new ProviderCallAnalytics(attempts.Count, calls),
            quotas.Select(QuotaSummary.From).ToList(),
            latency,
            new CoverageAnalytics(meanCoverage, measuredRate),
            Uptime(records, to));
    }

    /// <summary>
    /// Share of the schedule's 5-minute slots, from the first cycle in the window until now, that had an ok or
    /// partial cycle. The current slot counts only once it has had one (it may still be about to).
    /// </summary>
    internal static UptimeAnalytics Uptime(IReadOnlyList<CycleRecord> records, DateTimeOffset now)
    {
        if (records.Count == 0) return new UptimeAnalytics(null, null, null);
        var first = records[0].StartedAtUtc;
        var slot = Slot.Ticks;
        var firstSlot = first.UtcTicks / slot;
        var nowSlot = now.UtcTicks / slot;
        var good = records.Where(c => c.Status is CycleStatus.Ok or CycleStatus.Partial)
            .Select(c => c.StartedAtUtc.UtcTicks / slot).ToHashSet();
        var slots = nowSlot - firstSlot + (good.Contains(nowSlot) ? 1 : 0);
        var up = good.Count(s => s >= firstSlot && s <= nowSlot);
        var percent = slots > 0 ? Math.Round(100.0 * up / slots, 2) : (double?)null;
        return new UptimeAnalytics(first, Math.Round((now - first).TotalSeconds, 1), percent);
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
