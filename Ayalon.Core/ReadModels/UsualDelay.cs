using System.Collections.Concurrent;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Ayalon.Core.ReadModels;

/// <summary>
/// "Usual" delay per vehicle for one bucket of time (an hour, or a local day), from the same local wall-clock
/// bucket in each of the last <see cref="UsualDelayService.WindowWeeks"/> weeks: the median of the weekly values,
/// the 25th–75th percentile band around it, and how many weeks and hourly rollups stand behind it.
/// <see cref="DifferenceSeconds"/> is the compared value minus the median (positive: worse than usual).
/// </summary>
public sealed record UsualDelay(
    string Status,
    double? DelaySeconds,
    double? LowDelaySeconds,
    double? HighDelaySeconds,
    int Weeks,
    int Samples,
    double? DifferenceSeconds,
    string? Reason)
{
    public const string Available = "available";
    public const string Unavailable = "unavailable";

    public static UsualDelay Missing(string reason) => new(Unavailable, null, null, null, 0, 0, null, reason);

    /// <summary>This usual with the difference of <paramref name="value"/> from it (when both exist).</summary>
    public UsualDelay ComparedWith(double? value) =>
        DelaySeconds is { } median && value is { } v ? this with { DifferenceSeconds = Round.Seconds(v - median) } : this;
}

/// <summary>The usual of every section and direction for one bucket.</summary>
public sealed record UsualSet(IReadOnlyDictionary<string, UsualDelay> Sections, IReadOnlyDictionary<string, UsualDelay> Directions)
{
    public UsualDelay Section(string id) => Sections.GetValueOrDefault(id) ?? UsualDelay.Missing("unknown section");
    public UsualDelay Direction(string direction) => Directions.GetValueOrDefault(direction) ?? UsualDelay.Missing("unknown direction");
}

/// <summary>
/// Computes "usual" from the hourly rollups (docs/METHODOLOGY.md, "Now vs usual"). Every input hour is at least a
/// week old, so it is settled: <see cref="RollupReader"/> serves it from memory, and a bucket's result never changes
/// and is kept (bounded) — /api/impact asks for one bucket an hour, a history for one per point, each computed once.
/// </summary>
public sealed class UsualDelayService(RollupReader rollups, CorridorDefinition corridor, ImpactSettings impact, TimeProvider time,
    ILogger<UsualDelayService> logger)
{
    public const int WindowWeeks = 8;
    public const int MinWeeks = 3;

    /// <summary>A week's bucket counts only when observed for at least this share of it (a few minutes are not an hour).</summary>
    public const double MinObservedFraction = 0.5;

    /// <summary>Bound on kept buckets (a 90-day hourly history is 2,160).</summary>
    public const int MaxCachedBuckets = 20_000;

    private readonly ConcurrentDictionary<(long, long), UsualSet> _cache = new();

    public Task<UsualSet> ForHourAsync(DateTimeOffset hourStartUtc, CancellationToken cancellationToken) =>
        ForBucketAsync(LocalTime.FloorHour(hourStartUtc), LocalTime.FloorHour(hourStartUtc).AddHours(1), cancellationToken);

    public async Task<UsualSet> ForBucketAsync(DateTimeOffset startUtc, DateTimeOffset endUtc, CancellationToken cancellationToken) =>
        (await ForBucketsAsync([(startUtc, endUtc)], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// /api/impact's usual: storage trouble makes it unavailable (with the reason) rather than failing the current state.
    /// </summary>
    public async Task<UsualSet> ForHourOrUnavailableAsync(DateTimeOffset hourStartUtc, CancellationToken cancellationToken)
    {
        try
        {
            return await ForHourAsync(hourStartUtc, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Storage.StorageFailure.Is(ex))
        {
            logger.LogWarning("Usual delay unavailable: storage unreachable ({ExceptionType})", ex.GetType().Name);
            var missing = UsualDelay.Missing("the stored history could not be read");
            return new UsualSet(corridor.Sections.ToDictionary(s => s.Id, _ => missing, StringComparer.Ordinal),
                corridor.Directions.ToDictionary(d => d, _ => missing, StringComparer.Ordinal));
        }
    }

    /// <summary>The usual of each bucket [start, end), in order; the hours of all uncached buckets are read in one go.</summary>
    public async Task<IReadOnlyList<UsualSet>> ForBucketsAsync(IReadOnlyList<(DateTimeOffset StartUtc, DateTimeOffset EndUtc)> buckets,
        CancellationToken cancellationToken)
    {
        var zone = impact.Constants.LocalTimeZone;
        var result = new UsualSet[buckets.Count];
        var todo = new List<(int Index, List<(DateTimeOffset A, DateTimeOffset B)> Weeks)>();
        for (var i = 0; i < buckets.Count; i++)
        {
            if (_cache.TryGetValue((buckets[i].StartUtc.UtcTicks, buckets[i].EndUtc.UtcTicks), out var hit)) result[i] = hit;
            else todo.Add((i, PastWeeks(buckets[i].StartUtc, buckets[i].EndUtc, zone)));
        }
        if (todo.Count == 0) return result;

        var shifted = todo.SelectMany(t => t.Weeks).ToList();
        var byHour = new Dictionary<long, List<SectionHour>>();
        if (shifted.Count > 0)
        {
            var from = shifted.Min(w => w.A);
            var to = shifted.Max(w => w.B);
            var rows = await rollups.ReadAsync(from, to, corridor.Sections.Select(s => s.Id).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var r in rows)
            {
                if (!byHour.TryGetValue(r.HourStartUtc.UtcTicks, out var list)) byHour[r.HourStartUtc.UtcTicks] = list = [];
                list.Add(r);
            }
        }

        // Inputs older than this can no longer change (the rollup reader's settled rule), so the answer can be kept.
        var settledBefore = time.GetUtcNow() - TimeSpan.FromHours(1) - TimeSpan.FromSeconds(impact.Constants.MaxHoldSeconds);
        if (_cache.Count + todo.Count > MaxCachedBuckets) _cache.Clear();
        var computed = new Dictionary<(long, long), UsualSet>();
        foreach (var (index, weeks) in todo)
        {
            var key = (buckets[index].StartUtc.UtcTicks, buckets[index].EndUtc.UtcTicks);
            if (!computed.TryGetValue(key, out var set)) computed[key] = set = Compute(weeks, byHour); // 5-minute buckets share their hour
            result[index] = set;
            if (weeks.All(w => w.B <= settledBefore)) _cache[key] = set;
        }
        return result;
    }

    /// <summary>
    /// The same local wall-clock bucket 1…8 weeks earlier, in UTC. A week where that local time did not exist (the
    /// spring-forward hour) has no bucket; an ambiguous local time (the repeated autumn hour) is taken as standard time.
    /// </summary>
    internal static List<(DateTimeOffset A, DateTimeOffset B)> PastWeeks(DateTimeOffset startUtc, DateTimeOffset endUtc, TimeZoneInfo zone)
    {
        var localStart = LocalTime.WallClock(startUtc, zone);
        var localEnd = LocalTime.WallClock(endUtc, zone);
        var weeks = new List<(DateTimeOffset, DateTimeOffset)>(WindowWeeks);
        for (var k = 1; k <= WindowWeeks; k++)
        {
            if (LocalTime.InstantOf(localStart.AddDays(-7 * k), zone) is not { } aUtc ||
                LocalTime.InstantOf(localEnd.AddDays(-7 * k), zone) is not { } bUtc) continue;
            if (bUtc > aUtc) weeks.Add((aUtc, bUtc));
        }
        return weeks;
    }

    private UsualSet Compute(List<(DateTimeOffset A, DateTimeOffset B)> weeks, Dictionary<long, List<SectionHour>> byHour)
    {
        // Per section and week: the bucket's mean delay per vehicle (∫d dt / observed s), when observed enough.
        var sectionWeeks = corridor.Sections.ToDictionary(s => s.Id, _ => new List<(double Value, int Hours)>(), StringComparer.Ordinal);
        var directionWeeks = corridor.Directions.ToDictionary(d => d, _ => new List<(double Value, int Hours)>(), StringComparer.Ordinal);
        foreach (var (a, b) in weeks)
        {
            var totals = new Dictionary<string, (DelayTotals Totals, int Hours)>(StringComparer.Ordinal);
            for (var h = LocalTime.FloorHour(a); h < b; h = h.AddHours(1))
            {
                if (h < a || !byHour.TryGetValue(h.UtcTicks, out var rows)) continue;
                foreach (var r in rows)
                {
                    if (r.ObservedSeconds <= 0) continue;
                    if (!totals.TryGetValue(r.SectionId, out var t)) t = (new DelayTotals(false), 0);
                    t.Totals.Add(r);
                    totals[r.SectionId] = (t.Totals, t.Hours + 1);
                }
            }
            var minObserved = MinObservedFraction * (b - a).TotalSeconds;
            var means = new Dictionary<string, (double Mean, int Hours)>(StringComparer.Ordinal);
            foreach (var (id, t) in totals)
            {
                if (t.Totals.ObservedSeconds < minObserved || t.Totals.MeanDelaySeconds is not { } mean) continue;
                means[id] = (mean, t.Hours);
                sectionWeeks[id].Add((mean, t.Hours));
            }
            foreach (var d in corridor.Directions)
            {
                var mine = corridor.InDirection(d);
                if (mine.All(s => means.ContainsKey(s.Id)))
                    directionWeeks[d].Add((mine.Sum(s => means[s.Id].Mean), mine.Sum(s => means[s.Id].Hours)));
            }
        }
        return new UsualSet(
            sectionWeeks.ToDictionary(kv => kv.Key, kv => Summarise(kv.Value), StringComparer.Ordinal),
            directionWeeks.ToDictionary(kv => kv.Key, kv => Summarise(kv.Value), StringComparer.Ordinal));
    }

    private static UsualDelay Summarise(List<(double Value, int Hours)> weekly)
    {
        var samples = weekly.Sum(w => w.Hours);
        if (weekly.Count < MinWeeks)
        {
            return new UsualDelay(UsualDelay.Unavailable, null, null, null, weekly.Count, samples, null,
                $"{weekly.Count} of the last {WindowWeeks} weeks have data for this time of the week; at least {MinWeeks} are needed");
        }
        var sorted = weekly.Select(w => w.Value).Order().ToArray();
        return new UsualDelay(UsualDelay.Available, Round.Seconds(Percentile(sorted, 0.5)), Round.Seconds(Percentile(sorted, 0.25)),
            Round.Seconds(Percentile(sorted, 0.75)), weekly.Count, samples, null, null);
    }

    /// <summary>Linear interpolation between closest ranks (h = (n − 1)·p; numpy's default, Excel's PERCENTILE.INC).</summary>
    internal static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        var h = (sorted.Count - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
