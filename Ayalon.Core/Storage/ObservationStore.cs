using System.Globalization;
using Azure.Data.Tables;

namespace Ayalon.Core.Storage;

/// <summary>One section's computed state from one provider snapshot, as persisted.</summary>
public sealed record StoredObservation(
    string SectionId,
    string Direction,
    DateTimeOffset ObservedAtUtc,
    string SnapshotId,
    string State,
    double Coverage,
    double? TravelTimeSeconds,
    double? FreeFlowTimeSeconds,
    double? DelaySeconds,
    double? SpeedKmh,
    double? FreeFlowSpeedKmh,
    bool Congested,
    string SourcePieceIds,
    string TrackingIds,
    string Provider,
    string CycleId,
    string MethodologyVersion,
    string ConstantsVersion);

/// <summary>An observation as the read side needs it: when, what state, how much of the section was covered, the delay.</summary>
public sealed record ObservationSample(string SectionId, DateTimeOffset ObservedAtUtc, string State, double Coverage, double? DelaySeconds, bool Congested);

/// <summary>
/// Section observations. Partition = UTC day of observation; row key = section + provider snapshot, so the same
/// provider data written twice lands on the same row (stored once). One day's rows for all sections share a
/// partition, so a whole cycle is written in one batch transaction (one billed operation).
/// </summary>
public sealed class ObservationStore(AyalonTables tables)
{
    public static string PartitionFor(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string RowKeyFor(string sectionId, string snapshotId) => sectionId + "|" + snapshotId;

    public async Task WriteAsync(IReadOnlyList<StoredObservation> observations, CancellationToken cancellationToken)
    {
        if (observations.Count == 0) return;
        var table = await tables.GetAsync(AyalonTables.Observations, cancellationToken).ConfigureAwait(false);
        foreach (var day in observations.GroupBy(o => PartitionFor(o.ObservedAtUtc)))
        {
            foreach (var chunk in day.Chunk(100))
            {
                await table.SubmitTransactionAsync(
                    chunk.Select(o => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(o))),
                    cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Observations in [from, to), optionally of some sections, ordered by time.</summary>
    public async Task<IReadOnlyList<StoredObservation>> ReadAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc,
        IReadOnlyCollection<string>? sectionIds, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.Observations, cancellationToken).ConfigureAwait(false);
        var result = new List<StoredObservation>();
        for (var day = fromUtc.UtcDateTime.Date; day < toUtc.UtcDateTime; day = day.AddDays(1))
        {
            var partition = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == partition, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var o = FromEntity(e);
                if (o.ObservedAtUtc < fromUtc || o.ObservedAtUtc >= toUtc) continue;
                if (sectionIds is { Count: > 0 } && !sectionIds.Contains(o.SectionId)) continue;
                result.Add(o);
            }
        }
        result.Sort((a, b) => a.ObservedAtUtc.CompareTo(b.ObservedAtUtc));
        return result;
    }

    private static readonly string[] SampleProperties = ["SectionId", "ObservedAtUtc", "State", "Coverage", "DelaySeconds", "Congested"];

    /// <summary>
    /// The read side's slim view of observations in [from, to), ordered by time: six properties per row instead of
    /// eighteen (history's 5-minute buckets and analytics' coverage need no provenance).
    /// </summary>
    public async Task<IReadOnlyList<ObservationSample>> ReadSamplesAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc,
        IReadOnlyCollection<string>? sectionIds, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.Observations, cancellationToken).ConfigureAwait(false);
        var result = new List<ObservationSample>();
        for (var day = fromUtc.UtcDateTime.Date; day < toUtc.UtcDateTime; day = day.AddDays(1))
        {
            var partition = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == partition, select: SampleProperties,
                               cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var at = e.GetDateTimeOffset("ObservedAtUtc") ?? default;
                if (at < fromUtc || at >= toUtc) continue;
                var section = e.GetString("SectionId") ?? "";
                if (sectionIds is { Count: > 0 } && !sectionIds.Contains(section)) continue;
                result.Add(new ObservationSample(section, at, e.GetString("State") ?? "no_data", e.GetDouble("Coverage") ?? 0,
                    e.GetDouble("DelaySeconds"), e.GetBoolean("Congested") ?? false));
            }
        }
        result.Sort((a, b) => a.ObservedAtUtc.CompareTo(b.ObservedAtUtc));
        return result;
    }

    internal static TableEntity ToEntity(StoredObservation o) => new(PartitionFor(o.ObservedAtUtc), RowKeyFor(o.SectionId, o.SnapshotId))
    {
        ["SectionId"] = o.SectionId,
        ["Direction"] = o.Direction,
        ["ObservedAtUtc"] = o.ObservedAtUtc,
        ["SnapshotId"] = o.SnapshotId,
        ["State"] = o.State,
        ["Coverage"] = o.Coverage,
        ["TravelTimeSeconds"] = o.TravelTimeSeconds,
        ["FreeFlowTimeSeconds"] = o.FreeFlowTimeSeconds,
        ["DelaySeconds"] = o.DelaySeconds,
        ["SpeedKmh"] = o.SpeedKmh,
        ["FreeFlowSpeedKmh"] = o.FreeFlowSpeedKmh,
        ["Congested"] = o.Congested,
        ["SourcePieceIds"] = o.SourcePieceIds,
        ["TrackingIds"] = o.TrackingIds,
        ["Provider"] = o.Provider,
        ["CycleId"] = o.CycleId,
        ["MethodologyVersion"] = o.MethodologyVersion,
        ["ConstantsVersion"] = o.ConstantsVersion,
    };

    internal static StoredObservation FromEntity(TableEntity e) => new(
        e.GetString("SectionId") ?? "",
        e.GetString("Direction") ?? "",
        e.GetDateTimeOffset("ObservedAtUtc") ?? default,
        e.GetString("SnapshotId") ?? "",
        e.GetString("State") ?? "no_data",
        e.GetDouble("Coverage") ?? 0,
        e.GetDouble("TravelTimeSeconds"),
        e.GetDouble("FreeFlowTimeSeconds"),
        e.GetDouble("DelaySeconds"),
        e.GetDouble("SpeedKmh"),
        e.GetDouble("FreeFlowSpeedKmh"),
        e.GetBoolean("Congested") ?? false,
        e.GetString("SourcePieceIds") ?? "",
        e.GetString("TrackingIds") ?? "",
        e.GetString("Provider") ?? "",
        e.GetString("CycleId") ?? "",
        e.GetString("MethodologyVersion") ?? "",
        e.GetString("ConstantsVersion") ?? "");
}
