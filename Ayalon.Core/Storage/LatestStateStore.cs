using Azure;
using Azure.Data.Tables;

namespace Ayalon.Core.Storage;

/// <summary>The newest measured state of one section, as served by /api/impact.</summary>
public sealed record SectionLatest(
    string SectionId,
    DateTimeOffset ObservedAtUtc,
    DateTimeOffset FetchedAtUtc,
    string State,
    double? TravelTimeSeconds,
    double? FreeFlowTimeSeconds,
    double? DelaySeconds,
    double? SpeedKmh,
    double? FreeFlowSpeedKmh,
    double Coverage,
    string Provider,
    string? TrackingId,
    string CycleId);

/// <summary>Latest state per section: one row per section in one partition (a single query reads them all).</summary>
public sealed class LatestStateStore(AyalonTables tables)
{
    private const string Partition = "latest";

    public async Task UpsertAsync(IEnumerable<SectionLatest> rows, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.LatestState, cancellationToken).ConfigureAwait(false);
        var actions = rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(r))).ToList();
        if (actions.Count > 0)
        {
            await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<SectionLatest>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.LatestState, cancellationToken).ConfigureAwait(false);
        var result = new List<SectionLatest>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(FromEntity(e));
        }
        return result;
    }

    private static TableEntity ToEntity(SectionLatest r) => new(Partition, r.SectionId)
    {
        ["ObservedAtUtc"] = r.ObservedAtUtc,
        ["FetchedAtUtc"] = r.FetchedAtUtc,
        ["State"] = r.State,
        ["TravelTimeSeconds"] = r.TravelTimeSeconds,
        ["FreeFlowTimeSeconds"] = r.FreeFlowTimeSeconds,
        ["DelaySeconds"] = r.DelaySeconds,
        ["SpeedKmh"] = r.SpeedKmh,
        ["FreeFlowSpeedKmh"] = r.FreeFlowSpeedKmh,
        ["Coverage"] = r.Coverage,
        ["Provider"] = r.Provider,
        ["TrackingId"] = r.TrackingId,
        ["CycleId"] = r.CycleId,
    };

    private static SectionLatest FromEntity(TableEntity e) => new(
        e.RowKey,
        e.GetDateTimeOffset("ObservedAtUtc") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("FetchedAtUtc") ?? DateTimeOffset.MinValue,
        e.GetString("State") ?? "none",
        e.GetDouble("TravelTimeSeconds"),
        e.GetDouble("FreeFlowTimeSeconds"),
        e.GetDouble("DelaySeconds"),
        e.GetDouble("SpeedKmh"),
        e.GetDouble("FreeFlowSpeedKmh"),
        e.GetDouble("Coverage") ?? 0,
        e.GetString("Provider") ?? "",
        e.GetString("TrackingId"),
        e.GetString("CycleId") ?? "");
}
