using System.Text.Json;
using Azure.Data.Tables;

namespace Ayalon.Core.Storage;

/// <summary>What /api/impact and /api/health need in one read: each section's newest observation and the last cycle.</summary>
public sealed record LatestState(IReadOnlyDictionary<string, StoredObservation> Sections, CycleRecord? LastCycle, CycleRecord? LastSuccessfulCycle);

/// <summary>
/// Latest state: one row per section (its newest observation) plus the last cycle and last successful cycle,
/// all in one partition, so a single query reads everything and a cycle moves it in one batch. It is moved only
/// after the observations are written, and a section without new provider data keeps its last-known-good row.
/// </summary>
public sealed class LatestStateStore(AyalonTables tables)
{
    private const string Partition = "latest";
    private const string LastCycleRow = "_cycle";
    private const string LastSuccessfulCycleRow = "_cycle_ok";

    private long _version;

    /// <summary>
    /// Bumped each time this process moves the latest state, so in-memory views of it (the /api/impact snapshot)
    /// know at once that they are out of date. Other instances' writes are seen by re-reading.
    /// </summary>
    public long Version => Interlocked.Read(ref _version);

    public async Task<LatestState> ReadAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.LatestState, cancellationToken).ConfigureAwait(false);
        var sections = new Dictionary<string, StoredObservation>(StringComparer.Ordinal);
        CycleRecord? last = null, lastOk = null;
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            switch (e.RowKey)
            {
                case LastCycleRow: last = ReadCycle(e); break;
                case LastSuccessfulCycleRow: lastOk = ReadCycle(e); break;
                default: sections[e.RowKey] = ObservationStore.FromEntity(e); break;
            }
        }
        return new LatestState(sections, last, lastOk);
    }

    /// <summary>
    /// The ETag of the last-cycle row: every cycle that moves the latest state rewrites it, so an unchanged ETag
    /// means nothing was written since — a one-row point read instead of reading the whole state.
    /// </summary>
    public async Task<string?> ReadCycleETagAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.LatestState, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, LastCycleRow, ["PartitionKey"], cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value!.ETag.ToString() : null;
    }

    /// <summary>Moves the latest state in one transaction: changed sections and the cycle pointers.</summary>
    public async Task WriteAsync(IReadOnlyList<StoredObservation> sections, CycleRecord cycle, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.LatestState, cancellationToken).ConfigureAwait(false);
        var actions = new List<TableTransactionAction>();
        foreach (var o in sections)
        {
            var entity = ObservationStore.ToEntity(o);
            entity.PartitionKey = Partition;
            entity.RowKey = o.SectionId;
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
        }
        actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, CycleEntity(LastCycleRow, cycle)));
        if (cycle.Status is CycleStatus.Ok or CycleStatus.Partial)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, CycleEntity(LastSuccessfulCycleRow, cycle)));
        }
        await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _version);
    }

    private static TableEntity CycleEntity(string rowKey, CycleRecord cycle) =>
        new(Partition, rowKey) { ["Json"] = JsonSerializer.Serialize(cycle, CycleStore.Json) };

    private static CycleRecord? ReadCycle(TableEntity e) =>
        e.GetString("Json") is { } json ? JsonSerializer.Deserialize<CycleRecord>(json, CycleStore.Json) : null;
}
