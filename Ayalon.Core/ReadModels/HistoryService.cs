using System.Globalization;
using System.Text;
using Ayalon.Core.Collection;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Storage;

namespace Ayalon.Core.ReadModels;

/// <summary>
/// GET /api/impact/history: step-hold totals per bucket. Hours and local days come from the hourly rollups
/// written at collection time; 5-minute buckets are integrated from the stored observations with the same
/// step-hold rule (a rollup has no finer grain). Every bucket of the range is listed, observed or not: a gap is
/// shown as zero observed seconds, never filled in.
/// </summary>
/// <remarks>
/// Memory stays bounded under many concurrent requests (docs/BENCHMARKS.md, "History under load"): the 5-minute
/// grain serves at most <see cref="HistoryQuery.FiveMinuteLimit"/>; settled days of observations are read once and
/// kept (<see cref="ObservationDays"/>), as settled hours of rollups are (<see cref="RollupReader"/>); and an answer is
/// written once into a byte buffer that every concurrent request for the same buckets shares
/// (<see cref="GetBodyAsync"/>), until the next cycle can change it.
/// </remarks>
public sealed class HistoryService(
    CorridorDefinition corridor,
    ImpactSettings impact,
    RollupReader rollups,
    UsualDelayService usualDelay,
    ObservationStore observations,
    LatestStateStore latest,
    CycleSchedule schedule,
    TimeProvider time)
{
    /// <summary>A rendered answer is shared for at most this long (and never past the next cycle or a local write).</summary>
    public static readonly TimeSpan ShareFor = TimeSpan.FromSeconds(15);

    /// <summary>Bound on the bytes of shared answers kept at once.</summary>
    public const long SharedBytesBudget = 32L * 1024 * 1024;

    /// <summary>Bound on shared answers kept at once, rendered or still rendering (each is at most ~1.4 MB).</summary>
    public const int MaxSharedAnswers = 24;

    private readonly Lock _bodiesLock = new();
    private readonly Dictionary<string, SharedBody> _bodies = new(StringComparer.Ordinal);
    private readonly ObservationDays _days = new(observations, impact, schedule, latest, time);

    private sealed record SharedBody(Task<ApiBody> Body, long StateVersion, DateTimeOffset BuiltAtUtc, DateTimeOffset ExpiresAtUtc);

    /// <summary>
    /// The answer's bytes (JSON or CSV) with its ETag. Concurrent and repeated requests for the same buckets share one
    /// computation and one buffer until the next scheduled cycle, a cycle written by this process, or
    /// <see cref="ShareFor"/>, whichever comes first.
    /// </summary>
    public Task<ApiBody> GetBodyAsync(HistoryQuery q, CancellationToken cancellationToken)
    {
        var edges = Edges(q, impact.Constants.LocalTimeZone);
        var key = FormattableString.Invariant($"{q.Format}|{q.Granularity}|{edges[0].UtcTicks}|{edges[^1].UtcTicks}|{q.Direction}|{string.Join(',', q.Sections)}");
        var now = time.GetUtcNow();
        var version = latest.Version;
        lock (_bodiesLock)
        {
            if (_bodies.TryGetValue(key, out var shared) && shared.StateVersion == version && now >= shared.BuiltAtUtc && now < shared.ExpiresAtUtc &&
                !shared.Body.IsFaulted && !shared.Body.IsCanceled)
                return shared.Body;
        }
        // Not the request's token: the computation is shared, and one client leaving must not fail the others.
        var body = RenderAsync(q);
        var next = schedule.NextAfter(now);
        var entry = new SharedBody(body, version, now, now + ShareFor < next ? now + ShareFor : next);
        lock (_bodiesLock)
        {
            Trim(now);
            _bodies[key] = entry;
        }
        return body.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Renders at most this many answers at once; the others wait their turn. Requests that each ask for different
    /// buckets (nothing to share) then cost bounded memory instead of one full answer per connection.
    /// </summary>
    public static readonly int MaxConcurrentRenders = Math.Max(2, Environment.ProcessorCount);

    private readonly SemaphoreSlim _renders = new(MaxConcurrentRenders, MaxConcurrentRenders);

    private async Task<ApiBody> RenderAsync(HistoryQuery q)
    {
        await _renders.WaitAsync().ConfigureAwait(false);
        try
        {
            var response = await GetAsync(q, CancellationToken.None).ConfigureAwait(false);
            return q.Format == "csv" ? Csv(response) : ApiBody.Json(response);
        }
        finally
        {
            _renders.Release();
        }
    }

    /// <summary>Drops expired answers, then the oldest, until the rest fits the budget.</summary>
    private void Trim(DateTimeOffset now)
    {
        foreach (var (k, v) in _bodies.Where(kv => now >= kv.Value.ExpiresAtUtc || now < kv.Value.BuiltAtUtc).ToList()) _bodies.Remove(k);
        long Size() => _bodies.Values.Where(b => b.Body.IsCompletedSuccessfully).Sum(b => (long)b.Body.Result.Bytes.Length);
        while (_bodies.Count > 0 && (_bodies.Count >= MaxSharedAnswers || Size() > SharedBytesBudget))
        {
            _bodies.Remove(_bodies.MinBy(kv => kv.Value.BuiltAtUtc).Key);
        }
    }

    public const string CsvHeader = "startUtc,series,kind,observedSeconds,coverage,meanDelaySeconds,maxDelaySeconds,congestedSeconds,vehicleHours," +
                                    "usualDelaySeconds,usualLowDelaySeconds,usualHighDelaySeconds,usualWeeks,usualSamples";

    /// <summary>Seconds a history answer may be cached: until the next cycle can add to it.</summary>
    public int MaxAgeSeconds()
    {
        return schedule.MaxAgeSeconds(time.GetUtcNow());
    }

    public async Task<HistoryResponse> GetAsync(HistoryQuery q, CancellationToken cancellationToken)
    {
        var zone = impact.Constants.LocalTimeZone;
        var edges = Edges(q, zone);
        var buckets = edges.Count - 1;
        var sections = q.Sections.Count > 0
            ? q.Sections.Select(id => corridor.Find(id)!).ToList()
            : corridor.Sections.Where(s => q.Direction is null || s.Direction == q.Direction).ToList();
        var profile = impact.VolumeProfile;
        var totals = sections.ToDictionary(s => s.Id,
            s => Enumerable.Range(0, buckets).Select(_ => new DelayTotals(profile?.HasDirection(s.Direction) == true)).ToArray(),
            StringComparer.Ordinal);
        var ids = sections.Select(s => s.Id).ToList();

        if (q.Granularity == HistoryQuery.FiveMinutes)
        {
            await FillFromObservationsAsync(sections, edges, totals, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            foreach (var h in await rollups.ReadAsync(edges[0], edges[^1], ids, cancellationToken).ConfigureAwait(false))
            {
                var i = BucketOf(edges, h.HourStartUtc);
                if (i >= 0 && totals.TryGetValue(h.SectionId, out var t)) t[i].Add(h);
            }
        }

        var usual = await UsualAsync(edges, cancellationToken).ConfigureAwait(false);
        var series = new List<HistorySeries>();
        if (q.Sections.Count > 0)
        {
            foreach (var s in sections)
            {
                series.Add(new HistorySeries(s.Id, "section", Points(edges,
                    i => DelayFigures.ForSection(totals[s.Id][i], BucketSeconds(edges, i)), i => usual[i].Section(s.Id))));
            }
        }
        else
        {
            foreach (var d in corridor.Directions.Where(d => q.Direction is null || d == q.Direction))
            {
                var mine = corridor.InDirection(d);
                series.Add(new HistorySeries(d, "direction", Points(edges,
                    i => DelayFigures.ForDirection(mine.Select(s => totals[s.Id][i]).ToList(), BucketSeconds(edges, i)), i => usual[i].Direction(d))));
            }
        }
        return new HistoryResponse(edges[0], edges[^1], q.Granularity, zone.Id, series);
    }

    /// <summary>
    /// The usual of each bucket: hours and local days are their own bucket of the week; a 5-minute bucket takes the
    /// usual of its hour (rollups have no finer grain).
    /// </summary>
    private async Task<IReadOnlyList<UsualSet>> UsualAsync(List<DateTimeOffset> edges, CancellationToken cancellationToken)
    {
        var buckets = new List<(DateTimeOffset, DateTimeOffset)>(edges.Count - 1);
        for (var i = 0; i < edges.Count - 1; i++)
        {
            var hour = LocalTime.FloorHour(edges[i]);
            buckets.Add(edges[i + 1] - edges[i] < TimeSpan.FromHours(1) ? (hour, hour.AddHours(1)) : (edges[i], edges[i + 1]));
        }
        return await usualDelay.ForBucketsAsync(buckets, cancellationToken).ConfigureAwait(false);
    }

    public static ApiBody Csv(HistoryResponse response)
    {
        using var buffer = new MemoryStream();
        WriteCsv(response, buffer);
        var name = FormattableString.Invariant(
            $"ayalon-history-{response.Granularity}-{response.FromUtc.UtcDateTime:yyyyMMdd'T'HHmm'Z'}-{response.ToUtc.UtcDateTime:yyyyMMdd'T'HHmm'Z'}.csv");
        return new ApiBody(buffer.ToArray(), ApiBody.CsvContentType, $"attachment; filename=\"{name}\"");
    }

    /// <summary>The CSV, line by line into a stream (UTF-8, no BOM): never one string of the whole answer.</summary>
    public static void WriteCsv(HistoryResponse response, Stream stream)
    {
        using var w = new StreamWriter(stream, new UTF8Encoding(false), 16 * 1024, leaveOpen: true) { NewLine = CsvFormat.NewLine };
        w.Write(CsvHeader);
        w.Write(CsvFormat.NewLine);
        foreach (var s in response.Series)
        {
            foreach (var p in s.Points)
            {
                w.Write(p.StartUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                w.Write(',');
                w.Write(CsvFormat.Field(s.Key));
                w.Write(',');
                w.Write(CsvFormat.Field(s.Kind));
                foreach (var v in new[] { p.ObservedSeconds, p.Coverage, p.MeanDelaySeconds, p.MaxDelaySeconds, p.CongestedSeconds, p.VehicleHours,
                             p.Usual.DelaySeconds, p.Usual.LowDelaySeconds, p.Usual.HighDelaySeconds })
                {
                    w.Write(',');
                    w.Write(Num(v));
                }
                w.Write(',');
                w.Write(p.Usual.Weeks.ToString(CultureInfo.InvariantCulture));
                w.Write(',');
                w.Write(p.Usual.Samples.ToString(CultureInfo.InvariantCulture));
                w.Write(CsvFormat.NewLine);
            }
        }
    }

    // Shortest round-trip form, as the JSON writer uses: CSV and JSON parse back to the same doubles.
    private static string Num(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    private static List<HistoryPoint> Points(List<DateTimeOffset> edges, Func<int, DelayFigures> figures, Func<int, UsualDelay> usual)
    {
        var points = new List<HistoryPoint>(edges.Count - 1);
        for (var i = 0; i < edges.Count - 1; i++)
        {
            var f = figures(i);
            points.Add(new HistoryPoint(edges[i], f.ObservedSeconds, f.Coverage, f.MeanDelaySeconds, f.MaxDelaySeconds, f.CongestedSeconds, f.VehicleHours,
                usual(i).ComparedWith(f.MeanDelaySeconds)));
        }
        return points;
    }

    private async Task FillFromObservationsAsync(IReadOnlyList<CorridorSection> sections, List<DateTimeOffset> edges,
        Dictionary<string, DelayTotals[]> totals, CancellationToken cancellationToken)
    {
        var maxHold = TimeSpan.FromSeconds(impact.Constants.MaxHoldSeconds);
        var rows = await _days.ReadAsync(edges[0] - maxHold, edges[^1], sections.Select(s => s.Id).ToList(), cancellationToken)
            .ConfigureAwait(false);
        var step = TimeSpan.FromMinutes(5);
        foreach (var s in sections)
        {
            var samples = rows.Where(o => o.SectionId == s.Id)
                .Select(o => new DelaySample(o.ObservedAtUtc, o.State == ObservationState.Ok ? o.DelaySeconds : null, o.Congested))
                .ToList();
            for (var i = 0; i < samples.Count; i++)
            {
                if (!samples[i].IsValid) continue;
                var holdEnd = samples[i].AtUtc + maxHold;
                if (i + 1 < samples.Count && samples[i + 1].AtUtc < holdEnd) holdEnd = samples[i + 1].AtUtc;
                var a = samples[i].AtUtc > edges[0] ? samples[i].AtUtc : edges[0];
                var b = holdEnd < edges[^1] ? holdEnd : edges[^1];
                while (a < b)
                {
                    var bucket = (int)((a - edges[0]).Ticks / step.Ticks);
                    var pieceEnd = edges[bucket + 1] < b ? edges[bucket + 1] : b;
                    foreach (var c in impact.Integrator.Contributions(samples[i], a, pieceEnd, impact.VolumeProfile, s.Direction))
                        totals[s.Id][bucket].Add(c);
                    a = pieceEnd;
                }
            }
        }
    }

    /// <summary>Bucket edges covering the range: UTC 5-minute or hour boundaries, or local midnights for days.</summary>
    internal static List<DateTimeOffset> Edges(HistoryQuery q, TimeZoneInfo zone)
    {
        var edges = new List<DateTimeOffset>();
        if (q.Granularity == HistoryQuery.Day)
        {
            var first = LocalTime.DateOf(q.FromUtc, zone);
            var last = LocalTime.DateOf(q.ToUtc.AddTicks(-1), zone);
            for (var d = first; d <= last.AddDays(1); d = d.AddDays(1)) edges.Add(LocalTime.MidnightUtc(d, zone));
            return edges;
        }
        var step = q.Granularity == HistoryQuery.FiveMinutes ? TimeSpan.TicksPerMinute * 5 : TimeSpan.TicksPerHour;
        var start = q.FromUtc.UtcTicks - q.FromUtc.UtcTicks % step;
        var end = q.ToUtc.UtcTicks % step == 0 ? q.ToUtc.UtcTicks : q.ToUtc.UtcTicks - q.ToUtc.UtcTicks % step + step;
        for (var t = start; t <= end; t += step) edges.Add(new DateTimeOffset(t, TimeSpan.Zero));
        return edges;
    }

    private static double BucketSeconds(List<DateTimeOffset> edges, int i) => (edges[i + 1] - edges[i]).TotalSeconds;

    private static int BucketOf(List<DateTimeOffset> edges, DateTimeOffset t)
    {
        if (t < edges[0] || t >= edges[^1]) return -1;
        int lo = 0, hi = edges.Count - 2;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (edges[mid] <= t) lo = mid; else hi = mid - 1;
        }
        return lo;
    }
}

/// <summary>
/// Observations for the 5-minute grain, by UTC day, with settled days kept in memory. A day is settled once it ended
/// more than an hour and the max hold ago (cycles write observations at their fetch time, so nothing lands in it
/// any more). Unsettled days are re-read once the next cycle can have added to them (or this process wrote one),
/// at most every <see cref="HistoryService.ShareFor"/>. At most <see cref="MaxCachedDays"/> settled days are kept:
/// the 5-minute window plus the hold before it.
/// </summary>
internal sealed class ObservationDays(ObservationStore store, ImpactSettings impact, CycleSchedule schedule, LatestStateStore latest, TimeProvider time)
{
    public const int MaxCachedDays = 8;

    private readonly Lock _lock = new();
    private readonly Dictionary<DateTime, IReadOnlyList<ObservationSample>> _settled = [];
    private readonly Dictionary<DateTime, Recent> _recent = [];

    /// <summary>An unsettled day as last read: reused until the next cycle can add to it (or this process wrote).</summary>
    private sealed record Recent(IReadOnlyList<ObservationSample> Rows, long StateVersion, DateTimeOffset ReadAtUtc, DateTimeOffset ExpiresAtUtc);

    public async Task<IReadOnlyList<ObservationSample>> ReadAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc,
        IReadOnlyCollection<string> sectionIds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settledBefore = now - TimeSpan.FromHours(1) - TimeSpan.FromSeconds(impact.Constants.MaxHoldSeconds);
        var version = latest.Version;
        var result = new List<ObservationSample>();
        for (var day = fromUtc.UtcDateTime.Date; day < toUtc.UtcDateTime; day = day.AddDays(1))
        {
            var dayStart = new DateTimeOffset(day, TimeSpan.Zero);
            var dayEnd = dayStart.AddDays(1);
            var settled = dayEnd <= settledBefore;
            IReadOnlyList<ObservationSample>? rows = null;
            lock (_lock)
            {
                if (settled) _settled.TryGetValue(day, out rows);
                else if (_recent.TryGetValue(day, out var r) && r.StateVersion == version && now >= r.ReadAtUtc && now < r.ExpiresAtUtc) rows = r.Rows;
            }
            if (rows is null)
            {
                rows = await store.ReadSamplesAsync(dayStart, dayEnd, null, cancellationToken).ConfigureAwait(false);
                lock (_lock)
                {
                    if (settled)
                    {
                        if (_settled.Count >= MaxCachedDays) _settled.Remove(_settled.Keys.Min());
                        _settled[day] = rows;
                        _recent.Remove(day);
                    }
                    else
                    {
                        foreach (var old in _recent.Keys.Where(k => k < day.AddDays(-2)).ToList()) _recent.Remove(old);
                        var next = schedule.NextAfter(now);
                        var until = now + HistoryService.ShareFor < next ? now + HistoryService.ShareFor : next;
                        _recent[day] = new Recent(rows, version, now, until);
                    }
                }
            }
            foreach (var r in rows)
            {
                if (r.ObservedAtUtc >= fromUtc && r.ObservedAtUtc < toUtc && sectionIds.Contains(r.SectionId)) result.Add(r);
            }
        }
        return result;
    }
}
