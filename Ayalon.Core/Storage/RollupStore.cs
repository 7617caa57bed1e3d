using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Ayalon.Core.Impact;

namespace Ayalon.Core.Storage;

/// <summary>
/// One step-hold contribution to one section's UTC hour: the part in that hour of the hold from
/// <see cref="HeldFromUtc"/> (the held observation's time) to <see cref="HeldUntilUtc"/> (the next observation's).
/// The rollup remembers per section and hour the end of the last hold it counted (the high-water mark), and counts
/// a hold only if it starts at or after that mark: the same hold written twice (a retried cycle) counts once, and a
/// hold overlapping one already counted (an overtaken cycle computed from an older latest state) is refused, so an
/// hour never holds more observed time than it has. Without <see cref="HeldFromUtc"/> only the end is compared.
/// </summary>
public sealed record SectionHourContribution(string SectionId, DateTimeOffset HeldUntilUtc, HourContribution Contribution, DateTimeOffset? HeldFromUtc = null);

/// <summary>One section's totals for one UTC hour.</summary>
public sealed record SectionHour(
    string SectionId,
    DateTimeOffset HourStartUtc,
    double ObservedSeconds,
    double DelayIntegralSecondsSquared,
    double? VehicleDelaySeconds,
    double CongestedSeconds,
    double? MinDelaySeconds,
    double? MaxDelaySeconds)
{
    public double? MeanDelaySeconds => ObservedSeconds > 0 ? DelayIntegralSecondsSquared / ObservedSeconds : null;
}

/// <summary>
/// Hourly rollups, updated at collection time. One entity per UTC hour holds every section's totals (so a cycle
/// touches one or two entities), partitioned by UTC month so a 90-day history is a few range queries. Updates are
/// read-modify-write guarded by the entity's ETag (never a batch: Azurite ignores ETags inside batches).
/// </summary>
public sealed class RollupStore(AyalonTables tables)
{
    private const int MaxAttempts = 10;

    /// <summary>Per-section fields take 7 properties; 252 user properties allow 36 sections per hour entity.</summary>
    public const int MaxSections = 36;

    public static string PartitionFor(DateTimeOffset hourUtc) => "h" + hourUtc.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture);
    public static string RowKeyFor(DateTimeOffset hourUtc) => hourUtc.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public async Task ApplyAsync(IReadOnlyList<SectionHourContribution> contributions, CancellationToken cancellationToken)
    {
        if (contributions.Count == 0) return;
        var table = await tables.GetAsync(AyalonTables.HourlyRollups, cancellationToken).ConfigureAwait(false);
        foreach (var hour in contributions.GroupBy(c => c.Contribution.HourStartUtc))
        {
            await ApplyHourAsync(table, hour.Key, hour.ToList(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ApplyHourAsync(TableClient table, DateTimeOffset hourUtc, List<SectionHourContribution> items, CancellationToken cancellationToken)
    {
        var pk = PartitionFor(hourUtc);
        var rk = RowKeyFor(hourUtc);
        for (var attempt = 1; ; attempt++)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken).ConfigureAwait(false);
            var entity = existing.HasValue ? existing.Value! : new TableEntity(pk, rk) { ["HourStartUtc"] = hourUtc };
            var changed = false;
            foreach (var c in items) changed |= Merge(entity, c);
            if (!changed) return;
            try
            {
                if (existing.HasValue)
                    await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                else
                    await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Someone else changed the hour since we read it: read again and re-apply (the watermark keeps it exact).
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40) * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Adds one contribution to an hour entity unless its hold was already counted (internal: the audit
    /// rebuilds hours in memory through the same rule).</summary>
    internal static bool Merge(TableEntity e, SectionHourContribution item)
    {
        var p = Prefix(item.SectionId);
        var applied = e.GetDateTimeOffset(p + "HeldUntilUtc");
        if (applied is { } a && (item.HeldFromUtc is { } from ? a > from : a >= item.HeldUntilUtc)) return false; // counted, or overlaps what was
        var c = item.Contribution;
        e[p + "ObservedSeconds"] = (e.GetDouble(p + "ObservedSeconds") ?? 0) + c.ObservedSeconds;
        e[p + "DelayIntegral"] = (e.GetDouble(p + "DelayIntegral") ?? 0) + c.DelayIntegralSecondsSquared;
        if (c.VehicleDelaySeconds is { } v) e[p + "VehicleDelaySeconds"] = (e.GetDouble(p + "VehicleDelaySeconds") ?? 0) + v;
        e[p + "CongestedSeconds"] = (e.GetDouble(p + "CongestedSeconds") ?? 0) + c.CongestedSeconds;
        e[p + "MinDelaySeconds"] = Math.Min(e.GetDouble(p + "MinDelaySeconds") ?? double.MaxValue, c.MinDelaySeconds);
        e[p + "MaxDelaySeconds"] = Math.Max(e.GetDouble(p + "MaxDelaySeconds") ?? double.MinValue, c.MaxDelaySeconds);
        e[p + "HeldUntilUtc"] = item.HeldUntilUtc;
        return true;
    }

    /// <summary>Section-hours in [from, to) for the given sections, in time order.</summary>
    public async Task<IReadOnlyList<SectionHour>> ReadAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc,
        IReadOnlyCollection<string> sectionIds, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.HourlyRollups, cancellationToken).ConfigureAwait(false);
        var fromPk = PartitionFor(fromUtc);
        var toPk = PartitionFor(toUtc);
        var fromRk = RowKeyFor(fromUtc);
        var toRk = RowKeyFor(toUtc);
        var result = new List<SectionHour>();
        await foreach (var e in table.QueryAsync<TableEntity>(
                           x => x.PartitionKey.CompareTo(fromPk) >= 0 && x.PartitionKey.CompareTo(toPk) <= 0 &&
                                x.RowKey.CompareTo(fromRk) >= 0 && x.RowKey.CompareTo(toRk) < 0,
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var hour = e.GetDateTimeOffset("HourStartUtc") ?? default;
            foreach (var id in sectionIds)
            {
                var p = Prefix(id);
                if (e.GetDouble(p + "ObservedSeconds") is not { } observed) continue;
                result.Add(new SectionHour(id, hour, observed,
                    e.GetDouble(p + "DelayIntegral") ?? 0,
                    e.GetDouble(p + "VehicleDelaySeconds"),
                    e.GetDouble(p + "CongestedSeconds") ?? 0,
                    e.GetDouble(p + "MinDelaySeconds"),
                    e.GetDouble(p + "MaxDelaySeconds")));
            }
        }
        result.Sort((a, b) => a.HourStartUtc != b.HourStartUtc ? a.HourStartUtc.CompareTo(b.HourStartUtc) : string.CompareOrdinal(a.SectionId, b.SectionId));
        return result;
    }

    /// <summary>Property names allow letters, digits and underscores: section ids are mapped onto that set.</summary>
    internal static string Prefix(string sectionId)
    {
        var sb = new StringBuilder("s_", sectionId.Length + 4);
        foreach (var ch in sectionId) sb.Append(char.IsAsciiLetterOrDigit(ch) ? ch : '_');
        return sb.Append("__").ToString();
    }
}
