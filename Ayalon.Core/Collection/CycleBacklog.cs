using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Ayalon.Core.Collection;

/// <summary>
/// What a cycle could not write because Table Storage failed under it, kept in this process until storage answers
/// again: the cycle's own record (status failed, so analytics counts it) and the ledger outcomes of requests it had
/// already sent. The next cycle that holds the lease writes them first. Bounded: a week of 5-minute cycles; past that
/// the oldest records are dropped (and logged), ledger outcomes never.
/// </summary>
public sealed class CycleBacklog(ILogger<CycleBacklog> logger)
{
    public const int MaxRecords = 2016;

    private readonly object _gate = new();
    private readonly List<CycleRecord> _records = [];
    private readonly List<PendingOutcomes> _outcomes = [];

    /// <summary>Requests sent to <see cref="Provider"/> in the period of <see cref="ReservedAtUtc"/> whose outcomes are not yet in the ledger.</summary>
    public sealed record PendingOutcomes(string Provider, DateTimeOffset ReservedAtUtc, IReadOnlyList<string> Statuses);

    public int PendingRecords
    {
        get { lock (_gate) return _records.Count; }
    }

    public int PendingRequests
    {
        get { lock (_gate) return _outcomes.Sum(o => o.Statuses.Count); }
    }

    public void AddRecord(CycleRecord record)
    {
        lock (_gate)
        {
            _records.Add(record);
            if (_records.Count > MaxRecords)
            {
                logger.LogError("Cycle backlog full: the record of cycle {CycleId} is dropped unwritten", _records[0].CycleId);
                _records.RemoveAt(0);
            }
        }
    }

    public void AddOutcomes(PendingOutcomes outcomes)
    {
        lock (_gate) _outcomes.Add(outcomes);
    }

    /// <summary>
    /// Writes everything pending, oldest first; each item leaves the backlog once written, so a failure part-way
    /// leaves only the rest for next time (and propagates). Cycle records are upserts by start and id: writing one twice is harmless.
    /// </summary>
    public async Task FlushAsync(QuotaLedger ledger, CycleStore cycles, CancellationToken cancellationToken)
    {
        while (TryPeek(_outcomes, out var o))
        {
            await ledger.RecordOutcomesAsync(o.Provider, o.ReservedAtUtc, o.Statuses.ToList(), cancellationToken).ConfigureAwait(false);
            Remove(_outcomes, o);
            logger.LogInformation("Cycle backlog: {Requests} request outcomes of {Provider} recorded in the ledger after a storage failure", o.Statuses.Count, o.Provider);
        }
        while (TryPeek(_records, out var r))
        {
            await cycles.WriteAsync(r, cancellationToken).ConfigureAwait(false);
            Remove(_records, r);
            logger.LogInformation("Cycle backlog: failed cycle {CycleId} recorded after storage answered again", r.CycleId);
        }
    }

    private bool TryPeek<T>(List<T> list, out T item)
    {
        lock (_gate)
        {
            item = list.Count > 0 ? list[0] : default!;
            return list.Count > 0;
        }
    }

    private void Remove<T>(List<T> list, T item)
    {
        lock (_gate) list.Remove(item);
    }
}
