using System.Collections.Concurrent;
using System.Globalization;
using Ayalon.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Collection;

/// <summary>Why a cycle did not take the lease (the first word of <see cref="LeaseResult.SkipReason"/>).</summary>
public static class LeaseSkipReason
{
    /// <summary>The last cycle started less than <c>Collector:MinIntervalSeconds</c> ago (the timer fired twice).</summary>
    public const string MinInterval = "min_interval";

    /// <summary>Another cycle holds the lease and is still running (its hold has not lapsed).</summary>
    public const string CycleRunning = "cycle_running";

    /// <summary>Another cycle claimed the row at the same moment and won the ETag race.</summary>
    public const string ClaimedConcurrently = "claimed_concurrently";
}

/// <summary>
/// The answer to a lease claim. <see cref="Acquired"/> false means "skip this cycle"; <see cref="SkipReason"/> says
/// why in words fit for a log line and the cycle record, starting with a <see cref="LeaseSkipReason"/> code
/// (<see cref="SkipCode"/>). When acquired, <see cref="Hold"/> is the running cycle's hold on the row.
/// </summary>
public sealed record LeaseResult(
    bool Acquired,
    string LeaseName,
    string HolderId,
    DateTimeOffset AttemptedAtUtc,
    string? SkipReason,
    string? PreviousHolderId,
    DateTimeOffset? PreviousStartedUtc,
    string? SkipCode = null)
{
    public CycleLeaseHold? Hold { get; init; }
}

/// <summary>Skipped cycles of one UTC hour, by reason (a <see cref="LeaseSkipReason"/> code).</summary>
public sealed record CycleSkipCounts(DateTimeOffset HourStartUtc, IReadOnlyDictionary<string, int> SkippedByReason)
{
    public int Skipped => SkippedByReason.Values.Sum();
}

/// <summary>
/// One cycle at a time, across instances: one Table Storage row per lease name holding the last start, its holder,
/// and until when the holder holds it (<c>ExpiresUtc</c>), changed only with the row's ETag. A cycle takes the row
/// when the last start is at least the minimum interval ago (the Functions timer is known to fire twice) and no
/// other cycle holds it; it renews the hold while it runs (<see cref="CycleLeaseHold"/>) and releases it with its
/// outcome. A crashed cycle blocks nobody for longer than <c>Collector:LeaseSeconds</c>. The same row keeps each
/// provider's outage backoff; skipped claims are counted per UTC hour in rows of their own (<see cref="ReadSkipCountsAsync"/>).
/// </summary>
public sealed class CycleLease(
    AyalonTables tables,
    IOptionsMonitor<CollectorOptions> options,
    TimeProvider time,
    ILogger<CycleLease> logger)
{
    public const string CollectionLease = "collection";

    private const string Partition = "lease";
    private const string SkipPartitionPrefix = "skips-";
    internal const string LastStartedColumn = "LastStartedUtc";
    internal const string HolderColumn = "Holder";
    internal const string FinishedColumn = "FinishedUtc";
    internal const string OutcomeColumn = "Outcome";
    internal const string ExpiresColumn = "ExpiresUtc";
    private const string BackoffPrefix = "Backoff_";

    // Holders of this process whose cycle ended without releasing (storage failed under them): their hold is dead,
    // so the next cycle here need not wait for it to lapse.
    private readonly ConcurrentDictionary<string, byte> _abandoned = new(StringComparer.Ordinal);

    /// <summary>Collector:MinIntervalSeconds.</summary>
    public TimeSpan DefaultMinInterval => TimeSpan.FromSeconds(options.CurrentValue.MinIntervalSeconds);

    /// <summary>Collector:LeaseSeconds: a hold not renewed for this long lapses.</summary>
    public TimeSpan LeaseDuration => TimeSpan.FromSeconds(options.CurrentValue.LeaseSeconds);

    /// <summary>Collector:ProviderBackoffMaxMinutes.</summary>
    public TimeSpan BackoffMax => TimeSpan.FromMinutes(options.CurrentValue.ProviderBackoffMaxMinutes);

    /// <summary>Claims <paramref name="leaseName"/> for a new, generated holder id (returned in the result).</summary>
    public Task<LeaseResult> TryAcquireAsync(string leaseName, TimeSpan minInterval, CancellationToken cancellationToken) =>
        TryAcquireAsync(leaseName, "cycle-" + Guid.NewGuid().ToString("N")[..12], minInterval, cancellationToken);

    /// <summary>
    /// Claims <paramref name="leaseName"/> for <paramref name="holderId"/> (the cycle id) unless the last claim started
    /// less than <paramref name="minInterval"/> ago or its holder still holds it. Of callers racing for the same row
    /// exactly one wins: the others get 409 (row created under them) or 412 (row changed under them) and skip.
    /// </summary>
    public async Task<LeaseResult> TryAcquireAsync(string leaseName, string holderId, TimeSpan minInterval, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(leaseName);
        ArgumentException.ThrowIfNullOrWhiteSpace(holderId);
        var table = await tables.GetAsync(AyalonTables.CycleLeases, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var row = await ReadAsync(table, leaseName, cancellationToken).ConfigureAwait(false);
        var claim = new TableEntity(Partition, leaseName)
        {
            [LastStartedColumn] = now,
            [HolderColumn] = holderId,
            [FinishedColumn] = null,
            [OutcomeColumn] = null,
            [ExpiresColumn] = now + LeaseDuration,
        };

        if (row is null)
        {
            try
            {
                var added = await table.AddEntityAsync(claim, cancellationToken).ConfigureAwait(false);
                return Won(table, leaseName, holderId, now, null, null, added.Headers.ETag ?? default, null);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                return await LostAsync(table, leaseName, holderId, now, cancellationToken).ConfigureAwait(false);
            }
        }

        var previousHolder = row.GetString(HolderColumn);
        var previousStarted = row.GetDateTimeOffset(LastStartedColumn);
        if (previousStarted is { } started)
        {
            var sinceSeconds = (now - started).TotalSeconds;
            // Within the interval either way: instances' clocks may disagree by a little. A start further in the
            // future than one interval is treated as corrupt and taken over, so it cannot block collection forever.
            if (Math.Abs(sinceSeconds) < minInterval.TotalSeconds)
            {
                var reason = string.Create(CultureInfo.InvariantCulture,
                    $"{LeaseSkipReason.MinInterval}: previous cycle {previousHolder} started {sinceSeconds:0} s ago (minimum interval {minInterval.TotalSeconds:0} s)");
                return await SkippedAsync(table, leaseName, holderId, now, reason, LeaseSkipReason.MinInterval, previousHolder, started, cancellationToken).ConfigureAwait(false);
            }
        }
        if (IsHeld(row, now) && previousHolder is not null && !_abandoned.ContainsKey(previousHolder))
        {
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"{LeaseSkipReason.CycleRunning}: cycle {previousHolder} started {(now - (previousStarted ?? now)).TotalSeconds:0} s ago and is still running (holds the lease until {row.GetDateTimeOffset(ExpiresColumn):HH:mm:ss} UTC)");
            return await SkippedAsync(table, leaseName, holderId, now, reason, LeaseSkipReason.CycleRunning, previousHolder, previousStarted, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            // Replace would drop the providers' backoff columns: keep them, they outlive every single cycle.
            foreach (var (k, v) in row.Where(p => p.Key.StartsWith(BackoffPrefix, StringComparison.Ordinal))) claim[k] = v;
            var updated = await table.UpdateEntityAsync(claim, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            if (previousHolder is not null) _abandoned.TryRemove(previousHolder, out _);
            return Won(table, leaseName, holderId, now, previousHolder, previousStarted, updated.Headers.ETag ?? default, row);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return await LostAsync(table, leaseName, holderId, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Marks the holder's cycle finished (for operators reading the row) and lets the lease go. Does not shorten the
    /// interval: the next cycle may start <c>minInterval</c> after this one started. A no-op if another holder took over.
    /// </summary>
    public async Task<bool> ReleaseAsync(string leaseName, string holderId, string outcome, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.CycleLeases, cancellationToken).ConfigureAwait(false);
        var row = await ReadAsync(table, leaseName, cancellationToken).ConfigureAwait(false);
        if (row is null || row.GetString(HolderColumn) != holderId) return false;
        try
        {
            await table.UpdateEntityAsync(ReleasePatch(leaseName, outcome, null), row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false; // a newer cycle claimed the row meanwhile; its claim stands
        }
    }

    /// <summary>
    /// Skipped claims per UTC hour whose start lies in [<paramref name="fromUtc"/> rounded down to its hour,
    /// <paramref name="toUtc"/>), in time order; hours without a skip are absent. One range query over one partition.
    /// </summary>
    public async Task<IReadOnlyList<CycleSkipCounts>> ReadSkipCountsAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        const string leaseName = CollectionLease;
        var table = await tables.GetAsync(AyalonTables.CycleLeases, cancellationToken).ConfigureAwait(false);
        var pk = SkipPartitionPrefix + leaseName;
        var fromRk = HourKey(fromUtc);
        var toRk = HourKey(toUtc);
        var result = new List<CycleSkipCounts>();
        try
        {
            await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == pk && x.RowKey.CompareTo(fromRk) >= 0 && x.RowKey.CompareTo(toRk) <= 0,
                               cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var hour = DateTimeOffset.ParseExact(e.RowKey, "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                if (hour >= toUtc) continue;
                var byReason = e.Where(p => p.Value is int).ToDictionary(p => p.Key, p => (int)p.Value, StringComparer.Ordinal);
                if (byReason.Count > 0) result.Add(new CycleSkipCounts(hour, byReason));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return []; // no lease table yet: nothing ever ran, nothing skipped
        }
        result.Sort((a, b) => a.HourStartUtc.CompareTo(b.HourStartUtc));
        return result;
    }

    /// <summary>
    /// The holder's cycle ended without releasing (storage failed under it): this process knows it is not running, so
    /// its hold does not make the next cycle here skip. Other instances wait for the hold to lapse.
    /// </summary>
    public void Abandon(string holderId) => _abandoned[holderId] = 0;

    /// <summary>
    /// Held: not released and not lapsed. A hold reaching further ahead than two lease durations was written by a
    /// clock that is badly wrong and is ignored, so it cannot block collection (small skews still count as held).
    /// </summary>
    private bool IsHeld(TableEntity row, DateTimeOffset now) =>
        row.GetDateTimeOffset(FinishedColumn) is null && row.GetDateTimeOffset(ExpiresColumn) is { } expires &&
        expires > now && expires - now <= 2 * LeaseDuration;

    internal TableEntity ReleasePatch(string leaseName, string outcome, IReadOnlyDictionary<string, ProviderBackoffState>? backoff)
    {
        var now = time.GetUtcNow();
        var patch = new TableEntity(Partition, leaseName)
        {
            [FinishedColumn] = now,
            [OutcomeColumn] = outcome,
            [ExpiresColumn] = now,
        };
        foreach (var (provider, state) in backoff ?? new Dictionary<string, ProviderBackoffState>())
        {
            patch[BackoffPrefix + provider + "_Failures"] = state.ConsecutiveFailures;
            patch[BackoffPrefix + provider + "_SkipsLeft"] = state.SkipsLeft;
            patch[BackoffPrefix + provider + "_LastFailureUtc"] = state.LastFailureUtc;
            patch[BackoffPrefix + provider + "_RetryAfterUtc"] = state.RetryAfterUtc;
        }
        return patch;
    }

    internal static TableEntity RenewPatch(string leaseName, DateTimeOffset expiresUtc) =>
        new(Partition, leaseName) { [ExpiresColumn] = expiresUtc };

    private static Dictionary<string, ProviderBackoffState> ReadBackoff(TableEntity? row)
    {
        var states = new Dictionary<string, ProviderBackoffState>(StringComparer.Ordinal);
        if (row is null) return states;
        const string suffix = "_Failures";
        foreach (var key in row.Keys.Where(k => k.StartsWith(BackoffPrefix, StringComparison.Ordinal) && k.EndsWith(suffix, StringComparison.Ordinal)))
        {
            var provider = key[BackoffPrefix.Length..^suffix.Length];
            states[provider] = new ProviderBackoffState(row.GetInt32(key) ?? 0, row.GetInt32(BackoffPrefix + provider + "_SkipsLeft") ?? 0,
                row.GetDateTimeOffset(BackoffPrefix + provider + "_LastFailureUtc"), row.GetDateTimeOffset(BackoffPrefix + provider + "_RetryAfterUtc"));
        }
        return states;
    }

    private LeaseResult Won(TableClient table, string leaseName, string holderId, DateTimeOffset now, string? previousHolder,
        DateTimeOffset? previousStarted, ETag etag, TableEntity? before)
    {
        logger.LogInformation("Lease {LeaseName} taken by {HolderId}", leaseName, holderId);
        return new LeaseResult(true, leaseName, holderId, now, null, previousHolder, previousStarted)
        {
            Hold = new CycleLeaseHold(this, table, leaseName, holderId, etag, now + LeaseDuration, ReadBackoff(before), time, logger),
        };
    }

    private async Task<LeaseResult> LostAsync(TableClient table, string leaseName, string holderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var winner = await ReadAsync(table, leaseName, cancellationToken).ConfigureAwait(false);
        var winnerId = winner?.GetString(HolderColumn);
        var winnerStarted = winner?.GetDateTimeOffset(LastStartedColumn);
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"{LeaseSkipReason.ClaimedConcurrently}: previous cycle {winnerId} started {(now - (winnerStarted ?? now)).TotalSeconds:0} s ago (claimed concurrently)");
        return await SkippedAsync(table, leaseName, holderId, now, reason, LeaseSkipReason.ClaimedConcurrently, winnerId, winnerStarted, cancellationToken).ConfigureAwait(false);
    }

    private async Task<LeaseResult> SkippedAsync(TableClient table, string leaseName, string holderId, DateTimeOffset now, string reason, string code,
        string? previousHolder, DateTimeOffset? previousStarted, CancellationToken cancellationToken)
    {
        logger.LogInformation("Lease {LeaseName} not taken by {HolderId}: {Reason}", leaseName, holderId, reason);
        await CountSkipAsync(table, leaseName, code, now, cancellationToken).ConfigureAwait(false);
        return new LeaseResult(false, leaseName, holderId, now, reason, previousHolder, previousStarted, code);
    }

    /// <summary>
    /// One more skip of <paramref name="code"/> in the hour of <paramref name="now"/>: an ETag-guarded increment of the
    /// hour's counter row, so analytics counts skips from storage without a row per skipped cycle. A counter that
    /// cannot be written costs the count, never the cycle.
    /// </summary>
    private async Task CountSkipAsync(TableClient table, string leaseName, string code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pk = SkipPartitionPrefix + leaseName;
        var rk = HourKey(now);
        try
        {
            for (var attempt = 1; attempt <= 10; attempt++)
            {
                var existing = await table.GetEntityIfExistsAsync<TableEntity>(pk, rk, [code], cancellationToken).ConfigureAwait(false);
                try
                {
                    if (existing.HasValue)
                    {
                        var patch = new TableEntity(pk, rk) { [code] = (existing.Value!.GetInt32(code) ?? 0) + 1 };
                        await table.UpdateEntityAsync(patch, existing.Value.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await table.AddEntityAsync(new TableEntity(pk, rk) { [code] = 1 }, cancellationToken).ConfigureAwait(false);
                    }
                    return;
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 30) * attempt), cancellationToken).ConfigureAwait(false);
                }
            }
            logger.LogWarning("Lease {LeaseName}: skip counter {Hour} still contended; one {SkipCode} skip not counted", leaseName, rk, code);
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            logger.LogWarning("Lease {LeaseName}: skip counter not written ({ExceptionType}); one {SkipCode} skip not counted", leaseName, ex.GetType().Name, code);
        }
    }

    private static string HourKey(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    private static async Task<TableEntity?> ReadAsync(TableClient table, string leaseName, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, leaseName, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }
}

/// <summary>The cycle no longer holds the lease: another cycle took it after the hold lapsed. It must write nothing more.</summary>
public sealed class LeaseLostException(string holderId) : Exception($"Cycle {holderId} lost the collection lease; nothing more is written.")
{
    public string HolderId { get; } = holderId;
}

/// <summary>
/// A running cycle's hold on the lease row. A heartbeat (a <see cref="TimeProvider"/> timer, every third of
/// <c>Collector:LeaseSeconds</c>) renews it with the row's ETag; a renewal answered 412 or 404 means another cycle
/// took the row after the hold lapsed, and <see cref="Lost"/> turns true for good. <see cref="EnsureHeldAsync"/>
/// renews once more right before the cycle persists, so a cycle that lost the lease writes nothing.
/// </summary>
public sealed class CycleLeaseHold : IAsyncDisposable
{
    private readonly CycleLease _lease;
    private readonly TableClient _table;
    private readonly string _leaseName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ETag _etag;
    private ITimer? _heartbeat;
    private bool _released;

    internal CycleLeaseHold(CycleLease lease, TableClient table, string leaseName, string holderId, ETag etag, DateTimeOffset expiresUtc,
        IReadOnlyDictionary<string, ProviderBackoffState> backoff, TimeProvider time, ILogger logger)
    {
        _lease = lease;
        _table = table;
        _leaseName = leaseName;
        HolderId = holderId;
        _etag = etag;
        ExpiresUtc = expiresUtc;
        Backoff = backoff;
        _time = time;
        _logger = logger;
    }

    public string HolderId { get; }

    /// <summary>Until when the hold lasts without another renewal.</summary>
    public DateTimeOffset ExpiresUtc { get; private set; }

    /// <summary>Each provider's outage backoff as read when the lease was taken.</summary>
    public IReadOnlyDictionary<string, ProviderBackoffState> Backoff { get; }

    /// <summary>True once a renewal found the row taken by another cycle.</summary>
    public bool Lost { get; private set; }

    /// <summary>Successful renewals so far (heartbeats and checks).</summary>
    public int Renewals { get; private set; }

    /// <summary>Starts the heartbeat: a renewal every third of the lease duration, on the app's clock.</summary>
    public void StartHeartbeat()
    {
        var period = _lease.LeaseDuration / 3;
        _heartbeat ??= _time.CreateTimer(_ => _ = HeartbeatAsync(), null, period, period);
    }

    /// <summary>Renews the hold; false when it was lost (now or before). A storage failure propagates (the hold may still stand).</summary>
    public async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Lost || _released) return !Lost;
            var expires = _time.GetUtcNow() + _lease.LeaseDuration;
            try
            {
                var response = await _table.UpdateEntityAsync(CycleLease.RenewPatch(_leaseName, expires), _etag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                _etag = response.Headers.ETag ?? _etag;
                ExpiresUtc = expires;
                Renewals++;
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                Lost = true;
                _logger.LogWarning("Lease {LeaseName} lost by {HolderId}: another cycle took it after the hold lapsed; this cycle writes nothing more",
                    _leaseName, HolderId);
                return false;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Renews now and throws <see cref="LeaseLostException"/> if the lease is no longer ours.</summary>
    public async Task EnsureHeldAsync(CancellationToken cancellationToken)
    {
        if (!await RenewAsync(cancellationToken).ConfigureAwait(false)) throw new LeaseLostException(HolderId);
    }

    /// <summary>
    /// Lets the lease go with the cycle's outcome and each provider's new backoff state, with the ETag of our last
    /// write (no read). False when the lease was lost meanwhile (nothing written).
    /// </summary>
    public async Task<bool> ReleaseAsync(string outcome, IReadOnlyDictionary<string, ProviderBackoffState>? backoff, CancellationToken cancellationToken)
    {
        StopHeartbeat();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Lost || _released) return false;
            try
            {
                await _table.UpdateEntityAsync(_lease.ReleasePatch(_leaseName, outcome, backoff), _etag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                _released = true;
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                Lost = true;
                return false;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task HeartbeatAsync()
    {
        try
        {
            await RenewAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            // The hold stands until it lapses; the check before persisting decides.
            _logger.LogWarning("Lease {LeaseName}: renewal by {HolderId} failed ({ExceptionType}); retried at the next heartbeat", _leaseName, HolderId, ex.GetType().Name);
        }
        catch (ObjectDisposedException)
        {
            // the cycle ended while this heartbeat was due
        }
    }

    private void StopHeartbeat()
    {
        _heartbeat?.Dispose();
        _heartbeat = null;
    }

    public ValueTask DisposeAsync()
    {
        StopHeartbeat();
        return ValueTask.CompletedTask;
    }
}
