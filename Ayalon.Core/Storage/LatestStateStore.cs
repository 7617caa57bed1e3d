using System.Text.Json;
using Azure.Data.Tables;

namespace Ayalon.Core.Storage;

/// <summary>What /api/impact and /api/health need in one read: each section's newest observation and the last cycle.</summary>
public sealed record LatestState(IReadOnlyDictionary<string, StoredObservation> Sections, CycleRecord? LastCycle, CycleRecord? LastSuccessfulCycle)
{
    /// <summary>Each row's ETag as read (by section id, and the cycle rows' keys): the basis of a conditional move.</summary>
    public IReadOnlyDictionary<string, Azure.ETag> RowETags { get; init; } = new Dictionary<string, Azure.ETag>();
}

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
        var etags = new Dictionary<string, Azure.ETag>(StringComparer.Ordinal);
        CycleRecord? last = null, lastOk = null;
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            etags[e.RowKey] = e.ETag;
            switch (e.RowKey)
            {
                case LastCycleRow: last = ReadCycle(e); break;
                case LastSuccessfulCycleRow: lastOk = ReadCycle(e); break;
                default: sections[e.RowKey] = ObservationStore.FromEntity(e); break;
            }
        }
        return new LatestState(sections, last, lastOk) { RowETags = etags };
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

    /// <summary>Moves the latest state forward (see the overload with a basis), reading the basis first.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<StoredObservation> sections, CycleRecord cycle, CancellationToken cancellationToken) =>
        await WriteAsync(sections, cycle, await ReadAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Moves the latest state in one transaction, forward only: a section row is replaced only by a strictly newer
    /// observation, the cycle rows only by a cycle that started later. Each row is written on the condition that it
    /// is still as in <paramref name="basis"/> (its ETag; Add when it had none), so a writer that read an older
    /// state cannot overwrite a newer one: the transaction fails as a whole, and the move is re-read, re-checked and
    /// retried. Returns the number of section rows moved. (Azurite ignores ETags inside a transaction — Azure/Azurite#1233 —
    /// so locally the check against the basis is what holds; in Azure both do.)
    /// </summary>
    public async Task<int> WriteAsync(IReadOnlyList<StoredObservation> sections, CycleRecord cycle, LatestState basis, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.LatestState, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var actions = new List<TableTransactionAction>();
            var moved = 0;
            foreach (var o in sections)
            {
                if (basis.Sections.TryGetValue(o.SectionId, out var stored) && stored.ObservedAtUtc >= o.ObservedAtUtc) continue;
                var entity = ObservationStore.ToEntity(o);
                entity.PartitionKey = Partition;
                entity.RowKey = o.SectionId;
                actions.Add(Conditional(entity, basis));
                moved++;
            }
            if (basis.LastCycle is null || basis.LastCycle.StartedAtUtc <= cycle.StartedAtUtc)
            {
                actions.Add(Conditional(CycleEntity(LastCycleRow, cycle), basis));
            }
            if (cycle.Status is CycleStatus.Ok or CycleStatus.Partial &&
                (basis.LastSuccessfulCycle is null || basis.LastSuccessfulCycle.StartedAtUtc <= cycle.StartedAtUtc))
            {
                actions.Add(Conditional(CycleEntity(LastSuccessfulCycleRow, cycle), basis));
            }
            if (actions.Count == 0) return 0;
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _version);
                return moved;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
            {
                // Someone moved the state since our basis was read: re-read and decide again what is still newer.
                basis = await ReadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static TableTransactionAction Conditional(TableEntity entity, LatestState basis) =>
        basis.RowETags.TryGetValue(entity.RowKey, out var etag)
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, etag)
            : new TableTransactionAction(TableTransactionActionType.Add, entity);

    private static TableEntity CycleEntity(string rowKey, CycleRecord cycle) =>
        new(Partition, rowKey) { ["Json"] = JsonSerializer.Serialize(cycle, CycleStore.Json) };

    private static CycleRecord? ReadCycle(TableEntity e) =>
        e.GetString("Json") is { } json ? JsonSerializer.Deserialize<CycleRecord>(json, CycleStore.Json) : null;
}
