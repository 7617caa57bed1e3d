using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Storage;

namespace Ayalon.Core.ReadModels;

/// <summary>
/// Hourly rollups for the read side, with settled hours kept in memory. An hour stops changing once the last hold
/// that can reach into it has been applied: a hold lasts at most the max hold (600 s) and is applied by the next
/// cycle, so an hour that ended more than an hour and the max hold ago is settled. A 90-day history then reads
/// storage for the recent hours only. Unsettled hours are always read from storage.
/// </summary>
public sealed class RollupReader(RollupStore store, CorridorDefinition corridor, ImpactSettings impact, TimeProvider time)
{
    /// <summary>Bound on cached hours (400 days, the longest history range).</summary>
    public const int MaxCachedHours = 400 * 24;

    private readonly Dictionary<long, SectionHour[]> _settled = [];
    private readonly Lock _lock = new();

    public async Task<IReadOnlyList<SectionHour>> ReadAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc,
        IReadOnlyCollection<string> sectionIds, CancellationToken cancellationToken)
    {
        var from = LocalTime.FloorHour(fromUtc);
        var to = LocalTime.CeilingHour(toUtc);
        var settledBefore = LocalTime.FloorHour(time.GetUtcNow() - TimeSpan.FromHours(1) - TimeSpan.FromSeconds(impact.Constants.MaxHoldSeconds));
        var cacheEnd = to < settledBefore ? to : settledBefore;

        var result = new List<SectionHour>();
        if (from < cacheEnd)
        {
            DateTimeOffset? firstMissing = null, lastMissing = null;
            lock (_lock)
            {
                for (var h = from; h < cacheEnd; h = h.AddHours(1))
                {
                    if (_settled.ContainsKey(h.UtcTicks)) continue;
                    firstMissing ??= h;
                    lastMissing = h;
                }
            }
            if (firstMissing is { } a && lastMissing is { } b)
            {
                var all = corridor.Sections.Select(s => s.Id).ToList();
                var rows = await store.ReadAsync(a, b.AddHours(1), all, cancellationToken).ConfigureAwait(false);
                var byHour = rows.GroupBy(r => r.HourStartUtc.UtcTicks).ToDictionary(g => g.Key, g => g.ToArray());
                lock (_lock)
                {
                    if (_settled.Count + (int)(b - a).TotalHours + 1 > MaxCachedHours) _settled.Clear();
                    for (var h = a; h <= b; h = h.AddHours(1)) _settled[h.UtcTicks] = byHour.GetValueOrDefault(h.UtcTicks) ?? [];
                }
            }
            lock (_lock)
            {
                for (var h = from; h < cacheEnd; h = h.AddHours(1))
                {
                    if (!_settled.TryGetValue(h.UtcTicks, out var hour)) continue; // cleared meanwhile: rare, read below
                    foreach (var r in hour) if (sectionIds.Contains(r.SectionId)) result.Add(r);
                }
            }
        }
        var liveFrom = from > cacheEnd ? from : cacheEnd;
        if (liveFrom < to)
        {
            result.AddRange(await store.ReadAsync(liveFrom, to, sectionIds, cancellationToken).ConfigureAwait(false));
        }
        return result;
    }
}
