using System.Diagnostics;
using System.Globalization;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Microsoft.Extensions.Logging;

namespace Ayalon.Core.Collection;

/// <summary>
/// One collection cycle: claim the lease, then plan/fetch → compute → persist → report. The providers named in
/// <c>Traffic__Providers</c> are asked in order for the sections still unmeasured, each planning its own requests
/// and reserving every one in its own quota ledger row first (<see cref="CycleFetcher"/>); the answers become
/// observations, rollup contributions and the cycle record without I/O (<see cref="CycleComputer"/>); then raw
/// bodies, observations, hourly rollups, and only then the latest state and the cycle record are written.
/// The only component that ever calls a traffic provider. A storage failure fails the cycle loudly; a provider
/// failure is a recorded cycle with its status, never invented data.
/// </summary>
public sealed class CollectionCycle(
    CorridorDefinition corridor,
    ImpactSettings impact,
    TrafficProviders providers,
    QuotaLedger ledger,
    CycleLease lease,
    ObservationStore observations,
    LatestStateStore latest,
    CycleStore cycles,
    RollupStore rollups,
    RawResponseArchive archive,
    CycleBacklog backlog,
    ICollectorTelemetry telemetry,
    TimeProvider time,
    ILogger<CollectionCycle> logger)
{
    /// <summary>The message of a cycle storage failed under (recorded once storage answers again): its data was not written.</summary>
    public const string StorageErrorPrefix = "storage_error: ";

    /// <summary>The message of a cycle that lost the lease while it ran: it wrote nothing after that.</summary>
    public const string LeaseLostPrefix = "lease_lost: ";

    public async Task<CycleRecord> RunAsync(string trigger, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var cycleId = started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
        var start = new CycleStart(cycleId, trigger, started);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CycleId"] = cycleId, ["Trigger"] = trigger });
        using var context = CycleContext.Enter(cycleId);
        Activity.Current?.SetTag("ayalon.cycle_id", cycleId);
        var progress = new CycleProgress();

        try
        {
            // The lease is a storage call too: storage already down at the start fails the cycle the same plain way.
            var claim = await lease.TryAcquireAsync(CycleLease.CollectionLease, cycleId, lease.DefaultMinInterval, cancellationToken).ConfigureAwait(false);
            if (!claim.Acquired)
            {
                logger.LogInformation("Cycle {CycleId} skipped: {SkipReason}", cycleId, claim.SkipReason);
                var skipped = Unrecorded(start, CycleStatus.Skipped, claim.SkipReason);
                telemetry.CycleCompleted(skipped);
                return skipped;
            }

            await using var hold = claim.Hold!;
            hold.StartHeartbeat();
            logger.LogInformation("Cycle {CycleId} started ({Trigger})", cycleId, trigger);
            var record = await CollectAsync(start, hold, progress, cancellationToken).ConfigureAwait(false);
            telemetry.CycleCompleted(record);
            logger.LogInformation(
                "Cycle {CycleId} finished {CycleStatus}: provider {Provider} {ProviderStatus}, {RequestsUsed} requests, {SectionsMeasured}/{SectionsTotal} sections, {ObservationsStored} observations stored, {DurationMs:0} ms",
                cycleId, record.Status, record.Provider, record.ProviderStatus, record.RequestsUsed, record.SectionsMeasured, record.SectionsTotal,
                record.ObservationsStored, record.DurationMs);
            return record;
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            // Storage failed: nothing after the failing write happened, the latest state was not moved, and the next
            // cycle starts from the last-known-good. The cycle's record (with every request it sent) and any ledger
            // outcomes it could not write wait in the backlog until storage answers again, so analytics counts it.
            // Fail loudly with a message of ours (never the exception text, which could carry a URL).
            var failed = (progress.Writes?.Record ?? RecordOf(start, progress) ?? Unrecorded(start, CycleStatus.Failed, null)) with
            {
                Status = CycleStatus.Failed,
                FinishedAtUtc = time.GetUtcNow(),
                Message = StorageErrorPrefix + ex.GetType().Name,
            };
            backlog.AddRecord(failed);
            lease.Abandon(cycleId);
            telemetry.CycleCompleted(failed);
            logger.LogError("Cycle {CycleId} failed: Table Storage is unavailable ({ExceptionType}); latest state left as it was",
                cycleId, ex.GetType().Name);
            throw new CycleFailedException(cycleId, "Table Storage is unavailable; the cycle is recorded when storage answers again.");
        }
    }

    /// <summary>What a cycle has got so far, for the record of a cycle that storage failed under.</summary>
    private sealed class CycleProgress
    {
        public IReadOnlyList<ProviderTurn>? Turns { get; set; }
        public CycleWrites? Writes { get; set; }

    }

    private CycleRecord? RecordOf(CycleStart start, CycleProgress progress) =>
        progress.Turns is { Count: > 0 } turns ? new CycleComputer(corridor, impact).Compute(start, turns, EmptyState, time.GetUtcNow()).Record : null;

    private static readonly LatestState EmptyState = new(new Dictionary<string, StoredObservation>(), null, null);

    private async Task<CycleRecord> CollectAsync(CycleStart start, CycleLeaseHold hold, CycleProgress progress, CancellationToken cancellationToken)
    {
        await backlog.FlushAsync(ledger, cycles, cancellationToken).ConfigureAwait(false);
        var turns = await new CycleFetcher(corridor, impact, time)
            .FetchAsync(providers.InOrder(), name => new LedgerBudget(ledger, name), name => BackoffDetail(hold, name), cancellationToken).ConfigureAwait(false);
        progress.Turns = turns;
        await ChargeAsync(turns, cancellationToken).ConfigureAwait(false);
        // Read just before computing (not before fetching, which may take minutes): the holds and the forward-only
        // check start from the newest state, and the move is conditional on it.
        var previous = await latest.ReadAsync(cancellationToken).ConfigureAwait(false);
        var writes = new CycleComputer(corridor, impact).Compute(start, turns, previous, time.GetUtcNow());
        progress.Writes = writes;
        LogProviders(start.CycleId, turns);

        // Ownership checked with the row's ETag right before the first data write: a cycle that lost the lease (its
        // hold lapsed and another cycle took it) records what it spent and writes no data.
        if (!await hold.RenewAsync(cancellationToken).ConfigureAwait(false))
        {
            var lost = writes.Record with
            {
                Status = CycleStatus.Failed,
                ObservationsStored = 0,
                Message = LeaseLostPrefix + "another cycle took the lease while this one ran; its data was not written",
            };
            await cycles.WriteAsync(lost, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("Cycle {CycleId} lost the lease before persisting; {Requests} requests recorded, no data written", start.CycleId, lost.RequestsUsed);
            return lost;
        }
        await PersistAsync(start, writes, previous, cancellationToken).ConfigureAwait(false);
        var backoff = ProviderBackoff.Next(hold.Backoff, turns.Select(t => t.Fetch), time.GetUtcNow(), lease.BackoffMax);
        LogBackoff(start.CycleId, hold.Backoff, backoff);
        await hold.ReleaseAsync(writes.Record.Status, backoff, cancellationToken).ConfigureAwait(false);
        await ReportAsync(start.CycleId, turns, writes, previous, cancellationToken).ConfigureAwait(false);
        return writes.Record;
    }

    private string? BackoffDetail(CycleLeaseHold hold, string provider)
    {
        if (!hold.Backoff.TryGetValue(provider, out var s) || !s.ShouldSkip(time.GetUtcNow(), lease.BackoffMax)) return null;
        if (s.RetryAfterUtc is { } ra && time.GetUtcNow() < ra)
        {
            return string.Create(CultureInfo.InvariantCulture, $"provider_backoff: rate limited; the provider's Retry-After runs to {ra:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"provider_backoff: {s.ConsecutiveFailures} failed cycles in a row, the last at {s.LastFailureUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}; {s.SkipsLeft} cycles to skip (at most {lease.BackoffMax.TotalMinutes:0} min)");
    }

    private void LogBackoff(string cycleId, IReadOnlyDictionary<string, ProviderBackoffState> before, IReadOnlyDictionary<string, ProviderBackoffState> after)
    {
        foreach (var (provider, state) in after)
        {
            var old = before.GetValueOrDefault(provider) ?? ProviderBackoffState.None;
            if (state.ConsecutiveFailures > old.ConsecutiveFailures)
            {
                logger.LogWarning("Cycle {CycleId}: provider {Provider} failed {Failures} cycles in a row; the next {Skips} cycles leave it unasked",
                    cycleId, provider, state.ConsecutiveFailures, state.SkipsLeft);
            }
            else if (old.ConsecutiveFailures > 0 && state.ConsecutiveFailures == 0)
            {
                logger.LogInformation("Cycle {CycleId}: provider {Provider} answered again after {Failures} failed cycles; backoff ended", cycleId, provider, old.ConsecutiveFailures);
            }
        }
    }

    /// <summary>
    /// Every outbound request counts in its provider's ledger, whatever its answer, in the period it was reserved in;
    /// a reservation no request followed (the credentials turned out unusable) is given back. Outcomes that cannot be
    /// written (storage failed) wait in the backlog for the next cycle: a request sent is never left uncounted.
    /// </summary>
    private async Task ChargeAsync(IReadOnlyList<ProviderTurn> turns, CancellationToken cancellationToken)
    {
        var pending = new List<CycleBacklog.PendingOutcomes>();
        var releases = new List<(string Provider, DateTimeOffset At)>();
        foreach (var turn in turns)
        {
            var statuses = turn.Fetch.Answers.SelectMany(a => a.Attempts).Select(a => a.Status).ToList();
            var charged = turn.ReservedAtUtc.Zip(statuses, (at, status) => (At: at, Status: status)).ToList();
            // A UTC day never spans two periods (days and months both start at UTC midnight): group by day.
            pending.AddRange(charged.GroupBy(c => c.At.UtcDateTime.Date)
                .Select(g => new CycleBacklog.PendingOutcomes(turn.Provider, g.First().At, g.Select(c => c.Status).ToList())));
            releases.AddRange(turn.ReservedAtUtc.Skip(statuses.Count).Select(at => (turn.Provider, at)));
            foreach (var a in turn.Fetch.Answers.SelectMany(a => a.Attempts))
            {
                telemetry.ProviderCall(turn.Provider, a.Status, a.ElapsedMs);
            }
        }
        for (var i = 0; i < pending.Count; i++)
        {
            try
            {
                await ledger.RecordOutcomesAsync(pending[i].Provider, pending[i].ReservedAtUtc, pending[i].Statuses, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StorageFailure.Is(ex))
            {
                foreach (var p in pending.Skip(i)) backlog.AddOutcomes(p);
                throw;
            }
        }
        foreach (var (provider, at) in releases)
        {
            await ledger.ReleaseAsync(provider, at, 1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Write order matters: everything a reader could see as "data" is written before the latest state moves.</summary>
    private async Task PersistAsync(CycleStart start, CycleWrites writes, LatestState previous, CancellationToken cancellationToken)
    {
        await archive.StoreAsync(writes.RawResponses, cancellationToken).ConfigureAwait(false);
        await observations.WriteAsync(writes.Observations, cancellationToken).ConfigureAwait(false);
        await rollups.ApplyAsync(writes.Contributions, cancellationToken).ConfigureAwait(false);
        await latest.WriteAsync(writes.Observations, writes.Record, previous, cancellationToken).ConfigureAwait(false);
        await cycles.WriteAsync(writes.Record, cancellationToken).ConfigureAwait(false);

        if (previous.LastCycle is { } last && last.StartedAtUtc.UtcDateTime.Date != start.StartedAtUtc.UtcDateTime.Date)
        {
            // First cycle of a UTC day: drop raw bodies past their retention.
            var removed = await archive.DeleteExpiredAsync(start.StartedAtUtc, cancellationToken).ConfigureAwait(false);
            if (removed > 0) logger.LogInformation("Cycle {CycleId}: removed {Removed} raw bodies older than {Days} days", start.CycleId, removed, RawResponseArchive.RetentionDays);
        }
    }

    private async Task ReportAsync(string cycleId, IReadOnlyList<ProviderTurn> turns, CycleWrites writes, LatestState previous, CancellationToken cancellationToken)
    {
        foreach (var d in writes.Impact.Directions.Where(d => d.DelaySeconds.HasValue))
        {
            telemetry.CorridorDelay(d.Direction, d.DelaySeconds!.Value);
        }
        var newest = previous.Sections.Values.Concat(writes.Observations).Where(o => o.State == ObservationState.Ok)
            .Select(o => (DateTimeOffset?)o.ObservedAtUtc).Max();
        if (newest is { } n) telemetry.DataAge(Math.Max(0, (time.GetUtcNow() - n).TotalSeconds));
        foreach (var turn in turns.Where(t => t.ReservedAtUtc.Count > 0 || t.Fetch.Status == ProviderStatus.QuotaPacing))
        {
            await ObserveQuotaAsync(cycleId, turn.Provider, cancellationToken).ConfigureAwait(false);
        }
    }

    private void LogProviders(string cycleId, IReadOnlyList<ProviderTurn> turns)
    {
        foreach (var turn in turns.Where(t => t.Fetch.Status != ProviderStatus.Ok))
        {
            logger.LogWarning("Cycle {CycleId}: provider {Provider} answered {ProviderStatus} ({Detail}) after {Requests} requests",
                cycleId, turn.Provider, turn.Fetch.Status, turn.Fetch.Detail, turn.Fetch.RequestsSent);
        }
    }

    /// <summary>Quota metrics after the cycle's requests are recorded; everything is persisted by now, so a read
    /// failure here costs a metric point, not the cycle.</summary>
    private async Task ObserveQuotaAsync(string cycleId, string provider, CancellationToken cancellationToken)
    {
        try
        {
            telemetry.QuotaObserved(await ledger.GetStatusAsync(provider, allowLastSeen: true, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            logger.LogWarning("Cycle {CycleId}: quota of {Provider} not read for telemetry ({ExceptionType})", cycleId, provider, ex.GetType().Name);
        }
    }

    /// <summary>A cycle that ended before asking anyone (lease not claimed, storage down): not written to storage.</summary>
    private CycleRecord Unrecorded(CycleStart start, string status, string? message)
    {
        var provider = providers.InOrder().FirstOrDefault()?.Name ?? "";
        return new CycleRecord(start.CycleId, start.Trigger, start.StartedAtUtc, time.GetUtcNow(), status, ProviderStatus.Ok, provider,
            0, 0, corridor.Sections.Count, 0, 0, 0, [], message, impact.Constants.MethodologyVersion);
    }
}

/// <summary>A cycle that could not be completed or recorded (storage unavailable). The message never holds exception text.</summary>
public sealed class CycleFailedException(string cycleId, string message) : Exception(message)
{
    public string CycleId { get; } = cycleId;
}
