using System.Globalization;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Quota;

/// <summary>The answer to a reservation. <see cref="ReservedAtUtc"/> names the period the requests were charged to.</summary>
public sealed record QuotaReservation(
    string Provider,
    bool Granted,
    int Count,
    string PeriodKey,
    DateTimeOffset ReservedAtUtc,
    int Limit,
    int Reserved,
    int Remaining,
    string? DenialReason)
{
    /// <summary>Refused for pacing: when the same reservation would fit the pace (within this period).</summary>
    public DateTimeOffset? PacedUntilUtc { get; init; }
}

/// <summary>One ledger row as read for health and analytics. Counts are numbers of outbound requests.</summary>
public sealed record QuotaStatus(
    string Provider,
    string PeriodKey,
    DateTimeOffset PeriodStartUtc,
    DateTimeOffset PeriodEndUtc,
    int Limit,
    int Reserved,
    int Remaining,
    int Succeeded,
    int Failed,
    IReadOnlyDictionary<string, int> ByStatus,
    double UsedPercent,
    bool Alert,
    DateTimeOffset? LastRequestUtc)
{
    public QuotaPeriod Period { get; init; }

    /// <summary>Whether reservations are held to the pace (see <see cref="QuotaPacing"/>).</summary>
    public bool Pacing { get; init; }

    /// <summary>Requests the provider may run ahead of the even pace at the period's start.</summary>
    public int PacingBurst { get; init; }

    /// <summary>The most requests that may be reserved by now: the pace with pacing on, the limit with it off.</summary>
    public int AllowedByNow { get; init; }

    /// <summary>Use at the period's end if the rate so far holds, capped at the limit (<see cref="QuotaPacing.ProjectedAtPeriodEnd"/>).</summary>
    public int ProjectedAtPeriodEnd { get; init; }

    /// <summary>The even pace: period length / limit, in seconds; null for a limit of 0.</summary>
    public double? PacedIntervalSeconds { get; init; }
}

/// <summary>
/// The provider request budget, persisted in Table Storage so it survives restarts and is shared by every
/// collector instance (the prototype's in-memory counter reset on restart and raced).
/// One row per provider (PartitionKey) and UTC period (RowKey, see <see cref="QuotaPeriods"/>); each provider has its
/// own limit and period (<see cref="QuotaOptions.For"/>). Reserve BEFORE calling the provider: read the row, check
/// Reserved + n ≤ Limit (and, when paced, ≤ the pace: <see cref="QuotaPacing"/>), write back with the row's ETag;
/// a 412 means another collector wrote in between, so re-read and try again (bounded, jittered).
/// Never a batch transaction here: Azurite ignores ETags inside batches, so the guard would be untestable.
/// </summary>
public sealed class QuotaLedger(
    AyalonTables tables,
    IOptionsMonitor<QuotaOptions> options,
    TimeProvider time,
    ILogger<QuotaLedger> logger)
{
    /// <summary>How many read-check-write rounds one call tries before giving up on a contended row.</summary>
    public const int MaxConcurrencyAttempts = 20;

    public const string DeniedQuotaExhausted = ProviderStatus.QuotaExhausted;
    public const string DeniedLedgerContention = "ledger_contention";
    public const string DeniedQuotaPacing = ProviderStatus.QuotaPacing;

    private const string LimitColumn = "Limit";
    private const string ReservedColumn = "Reserved";
    private const string SucceededColumn = "Succeeded";
    private const string FailedColumn = "Failed";
    private const string LastRequestColumn = "LastRequestUtc";
    private const string PeriodColumn = "Period";
    private const string PeriodStartColumn = "PeriodStartUtc";
    private const string PeriodEndColumn = "PeriodEndUtc";
    private const string StatusColumnPrefix = "Status_";

    public static string StatusColumn(string status) => StatusColumnPrefix + status;

    // The row as this instance last saw it, with its ETag. The first round of a call writes against it without
    // reading (a stale copy fails with 412 and the loop re-reads), which halves the table operations of a cycle.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TableEntity> _lastSeen = new(StringComparer.Ordinal);

    /// <summary>
    /// Reserves <paramref name="count"/> requests in the provider's current period. Granted only when the row's
    /// Reserved plus <paramref name="count"/> stays within the provider's limit (a changed limit applies to the current
    /// row at once) and, when paced, within the pace. Denied with <see cref="DeniedQuotaExhausted"/>,
    /// <see cref="DeniedQuotaPacing"/>, or — fail-closed — with <see cref="DeniedLedgerContention"/> when the row
    /// stayed contended for <see cref="MaxConcurrencyAttempts"/> rounds. Both checks read the Reserved of the row
    /// the ETag-guarded write replaces, so parallel collectors can exceed neither the limit nor the pace.
    /// </summary>
    public async Task<QuotaReservation> TryReserveAsync(string provider, int count, CancellationToken cancellationToken)
    {
        ValidateProvider(provider);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var table = await tables.GetAsync(AyalonTables.QuotaLedger, cancellationToken).ConfigureAwait(false);
        var quota = options.CurrentValue.For(provider);
        var now = time.GetUtcNow();
        var window = quota.WindowAt(now);
        var limit = quota.Limit;
        var allowed = quota.Pacing ? QuotaPacing.AllowedByNow(limit, quota.PacingBurst, window, now) : limit;
        string? Refusal(int reserved) =>
            reserved + count > limit ? DeniedQuotaExhausted : reserved + count > allowed ? DeniedQuotaPacing : null;

        for (var attempt = 1; attempt <= MaxConcurrencyAttempts; attempt++)
        {
            var cached = attempt == 1 ? Cached(provider, window.Key) : null;
            var row = cached ?? await ReadAsync(table, provider, window.Key, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                var fits = Refusal(0) is null;
                var created = NewRow(provider, window, quota.Period, limit);
                created[ReservedColumn] = fits ? count : 0;
                try
                {
                    var added = await table.AddEntityAsync(created, cancellationToken).ConfigureAwait(false);
                    Remember(created, added);
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    continue; // another collector created the row first: read theirs
                }
                return Answer(quota, count, window, now, fits ? count : 0, Refusal(0));
            }

            var reserved = row.GetInt32(ReservedColumn) ?? 0;
            var refusal = Refusal(reserved);
            if (refusal is not null && cached is not null)
            {
                // Our copy says "no": confirm with a fresh read before refusing (another instance may have released some).
                Forget(provider, window.Key);
                continue;
            }
            if (refusal == DeniedQuotaExhausted)
            {
                logger.LogWarning("Quota {Provider} {PeriodKey} exhausted: {Reserved} of {Limit} reserved, {Count} more refused",
                    provider, window.Key, reserved, limit, count);
                return Answer(quota, count, window, now, reserved, refusal);
            }
            if (refusal is not null)
            {
                // Expected several times an hour on a paced plan: information, not a warning.
                logger.LogInformation("Quota {Provider} {PeriodKey} paced: {Reserved} of {Limit} reserved, {Allowed} allowed by now, {Count} more refused",
                    provider, window.Key, reserved, limit, allowed, count);
                return Answer(quota, count, window, now, reserved, refusal);
            }

            var patch = new TableEntity(provider, window.Key)
            {
                [ReservedColumn] = reserved + count,
                [LimitColumn] = limit,
            };
            try
            {
                var updated = await table.UpdateEntityAsync(patch, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                Remember(Merged(row, patch), updated);
                return Answer(quota, count, window, now, reserved + count, null);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // 404: the row we remembered is gone (storage was wiped and its tables re-created): read afresh.
                Forget(provider, window.Key);
                // A stale copy of ours is not contention: re-read at once; real contention backs off.
                if (attempt > 1) await BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }

        logger.LogError("Quota {Provider} {PeriodKey}: row still contended after {Attempts} attempts; reservation refused",
            provider, window.Key, MaxConcurrencyAttempts);
        return new QuotaReservation(provider, false, count, window.Key, now, limit, 0, 0, DeniedLedgerContention);
    }

    /// <summary>
    /// Counts several outbound requests reserved in the same period, in one write (a cycle records all its
    /// requests at once). Every request is charged by the provider, whatever its answer.
    /// </summary>
    public Task RecordOutcomesAsync(string provider, DateTimeOffset reservedAt, IReadOnlyCollection<string> statuses, CancellationToken cancellationToken)
    {
        foreach (var status in statuses)
        {
            if (!ProviderStatus.All.Contains(status))
            {
                throw new ArgumentException($"'{status}' is not a provider status", nameof(statuses));
            }
        }
        if (statuses.Count == 0) return Task.CompletedTask;
        var now = time.GetUtcNow();
        return ChangeRowAsync(provider, reservedAt, "outcome", row =>
        {
            var patch = new TableEntity(provider, "") { [LastRequestColumn] = now };
            var succeeded = statuses.Count(s => s == ProviderStatus.Ok);
            if (succeeded > 0) patch[SucceededColumn] = (row?.GetInt32(SucceededColumn) ?? 0) + succeeded;
            if (statuses.Count > succeeded) patch[FailedColumn] = (row?.GetInt32(FailedColumn) ?? 0) + statuses.Count - succeeded;
            foreach (var group in statuses.GroupBy(s => s))
            {
                patch[StatusColumn(group.Key)] = (row?.GetInt32(StatusColumn(group.Key)) ?? 0) + group.Count();
            }
            return patch;
        }, cancellationToken);
    }

    /// <summary>
    /// Gives back reserved requests that were never sent (e.g. the provider turned out not to be configured).
    /// Reserved never drops below the requests already recorded.
    /// </summary>
    public Task ReleaseAsync(string provider, DateTimeOffset reservedAt, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return ChangeRowAsync(provider, reservedAt, "release", row =>
        {
            if (row is null) return null;
            var reserved = row.GetInt32(ReservedColumn) ?? 0;
            var used = (row.GetInt32(SucceededColumn) ?? 0) + (row.GetInt32(FailedColumn) ?? 0);
            var released = Math.Max(used, reserved - count);
            return released == reserved ? null : new TableEntity(provider, "") { [ReservedColumn] = released };
        }, cancellationToken);
    }

    /// <summary>The provider's current period row (zeros when nothing was reserved yet), measured against its configured limit.</summary>
    public Task<QuotaStatus> GetStatusAsync(string provider, CancellationToken cancellationToken) =>
        GetStatusAsync(provider, allowLastSeen: false, cancellationToken);

    /// <param name="allowLastSeen">
    /// Answer from the row this instance last wrote, when it has one, without a read: right after its own writes
    /// (the collector reporting quota metrics) that copy is current, and the read would be a billed operation.
    /// </param>
    public async Task<QuotaStatus> GetStatusAsync(string provider, bool allowLastSeen, CancellationToken cancellationToken)
    {
        ValidateProvider(provider);
        var table = await tables.GetAsync(AyalonTables.QuotaLedger, cancellationToken).ConfigureAwait(false);
        var quota = options.CurrentValue.For(provider);
        var now = time.GetUtcNow();
        var window = quota.WindowAt(now);
        var row = (allowLastSeen ? Cached(provider, window.Key) : null)
                  ?? await ReadAsync(table, provider, window.Key, cancellationToken).ConfigureAwait(false);
        return ToStatus(quota, window, row, quota.Limit, now);
    }

    /// <summary>
    /// The current period of every provider in <paramref name="providerOrder"/> (in that order, zeros where nothing
    /// was reserved yet), then of any other provider that has a row for its current period (by name): one query for
    /// all of them, for health and analytics.
    /// </summary>
    public async Task<IReadOnlyList<QuotaStatus>> GetCurrentStatusesAsync(IReadOnlyList<string> providerOrder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(providerOrder);
        foreach (var provider in providerOrder) ValidateProvider(provider);
        var table = await tables.GetAsync(AyalonTables.QuotaLedger, cancellationToken).ConfigureAwait(false);
        var o = options.CurrentValue;
        var now = time.GetUtcNow();
        // Every provider's current row has one of these two keys, whatever its own period.
        var filter = TableClient.CreateQueryFilter(
            $"RowKey eq {QuotaPeriods.For(QuotaPeriod.Day, now).Key} or RowKey eq {QuotaPeriods.For(QuotaPeriod.Month, now).Key}");
        var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == o.For(row.PartitionKey).WindowAt(now).Key) rows[row.PartitionKey] = row;
        }
        var names = providerOrder.Concat(rows.Keys.Where(k => !providerOrder.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal));
        return names.Distinct(StringComparer.Ordinal).Select(name =>
        {
            var quota = o.For(name);
            return ToStatus(quota, quota.WindowAt(now), rows.GetValueOrDefault(name), quota.Limit, now);
        }).ToList();
    }

    /// <summary>
    /// Ledger rows whose period overlaps [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), oldest first, each
    /// measured against the limit stored in it (for the current period: the configured limit).
    /// </summary>
    /// <remarks>
    /// No production caller today (analytics and health read the current period): it stays so the ledger tests check
    /// stored rows through the ledger's own reader, and it is the read an operator-facing quota history would use.
    /// </remarks>
    public async Task<IReadOnlyList<QuotaStatus>> GetHistoryAsync(
        string provider, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        ValidateProvider(provider);
        var table = await tables.GetAsync(AyalonTables.QuotaLedger, cancellationToken).ConfigureAwait(false);
        var quota = options.CurrentValue.For(provider);
        var now = time.GetUtcNow();
        var current = quota.WindowAt(now);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {provider} and PeriodEndUtc gt {fromUtc.ToUniversalTime()} and PeriodStartUtc lt {toUtc.ToUniversalTime()}");
        var result = new List<QuotaStatus>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var window = new QuotaPeriodWindow(
                row.RowKey,
                row.GetDateTimeOffset(PeriodStartColumn) ?? DateTimeOffset.MinValue,
                row.GetDateTimeOffset(PeriodEndColumn) ?? DateTimeOffset.MinValue);
            var limit = row.RowKey == current.Key ? quota.Limit : row.GetInt32(LimitColumn) ?? quota.Limit;
            result.Add(ToStatus(quota, window, row, limit, now));
        }
        result.Sort((a, b) => a.PeriodStartUtc.CompareTo(b.PeriodStartUtc));
        return result;
    }

    /// <summary>
    /// The ETag loop for increments: <paramref name="patchFor"/> builds the merge patch from the row as read (null:
    /// row missing; returning null: nothing to change). A missing row is created with AddEntity (409: re-read).
    /// </summary>
    private async Task ChangeRowAsync(
        string provider, DateTimeOffset at, string what, Func<TableEntity?, TableEntity?> patchFor, CancellationToken cancellationToken)
    {
        ValidateProvider(provider);
        var table = await tables.GetAsync(AyalonTables.QuotaLedger, cancellationToken).ConfigureAwait(false);
        var quota = options.CurrentValue.For(provider);
        var window = quota.WindowAt(at);
        for (var attempt = 1; attempt <= MaxConcurrencyAttempts; attempt++)
        {
            var row = (attempt == 1 ? Cached(provider, window.Key) : null)
                      ?? await ReadAsync(table, provider, window.Key, cancellationToken).ConfigureAwait(false);
            var patch = patchFor(row);
            if (patch is null) return;
            patch.RowKey = window.Key;
            try
            {
                if (row is null)
                {
                    var created = NewRow(provider, window, quota.Period, quota.Limit);
                    foreach (var (k, v) in patch)
                    {
                        if (k is not ("PartitionKey" or "RowKey" or "odata.etag" or "Timestamp")) created[k] = v;
                    }
                    Remember(created, await table.AddEntityAsync(created, cancellationToken).ConfigureAwait(false));
                }
                else
                {
                    var updated = await table.UpdateEntityAsync(patch, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                    Remember(Merged(row, patch), updated);
                }
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                Forget(provider, window.Key); // 404: the remembered row is gone (storage wiped, tables re-created)
                if (attempt > 1) await BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
        // Losing a count is a reporting error, not a budget breach: the budget is enforced on Reserved.
        logger.LogError("Quota {Provider} {PeriodKey}: {What} not recorded, row still contended after {Attempts} attempts",
            provider, window.Key, what, MaxConcurrencyAttempts);
    }

    private TableEntity? Cached(string provider, string periodKey) =>
        _lastSeen.TryGetValue(CacheKey(provider, periodKey), out var cached) ? Copy(cached) : null;

    private async Task<TableEntity?> ReadAsync(TableClient table, string provider, string periodKey, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(provider, periodKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.HasValue) return null;
        Remember(response.Value!, null);
        return response.Value;
    }

    private static string CacheKey(string provider, string periodKey) => provider + "|" + periodKey;

    private void Remember(TableEntity entity, Response? write)
    {
        var copy = Copy(entity);
        if (write?.Headers.ETag is { } etag) copy.ETag = etag;
        _lastSeen[CacheKey(copy.PartitionKey, copy.RowKey)] = copy;
    }

    private void Forget(string provider, string periodKey) => _lastSeen.TryRemove(CacheKey(provider, periodKey), out _);

    private static TableEntity Merged(TableEntity row, TableEntity patch)
    {
        var merged = Copy(row);
        foreach (var (k, v) in patch)
        {
            if (k is not ("PartitionKey" or "RowKey" or "odata.etag" or "Timestamp")) merged[k] = v;
        }
        return merged;
    }

    private static TableEntity Copy(TableEntity e)
    {
        var copy = new TableEntity(e.PartitionKey, e.RowKey) { ETag = e.ETag };
        foreach (var (k, v) in e)
        {
            if (k is not ("PartitionKey" or "RowKey" or "odata.etag" or "Timestamp")) copy[k] = v;
        }
        return copy;
    }

    private static TableEntity NewRow(string provider, QuotaPeriodWindow window, QuotaPeriod period, int limit) => new(provider, window.Key)
    {
        [PeriodColumn] = period.ToString(),
        [PeriodStartColumn] = window.StartUtc,
        [PeriodEndColumn] = window.EndUtc,
        [LimitColumn] = limit,
        [ReservedColumn] = 0,
        [SucceededColumn] = 0,
        [FailedColumn] = 0,
    };

    private static QuotaReservation Answer(
        ProviderQuota quota, int count, QuotaPeriodWindow window, DateTimeOffset now, int reserved, string? refusal) =>
        new(quota.Provider, refusal is null, count, window.Key, now, quota.Limit, reserved, Math.Max(0, quota.Limit - reserved), refusal)
        {
            PacedUntilUtc = refusal == DeniedQuotaPacing
                ? QuotaPacing.FitsFromUtc(quota.Limit, quota.PacingBurst, window, reserved, count)
                : null,
        };

    private static QuotaStatus ToStatus(ProviderQuota quota, QuotaPeriodWindow window, TableEntity? row, int limit, DateTimeOffset now)
    {
        var reserved = row?.GetInt32(ReservedColumn) ?? 0;
        var byStatus = new SortedDictionary<string, int>(StringComparer.Ordinal);
        if (row is not null)
        {
            foreach (var status in ProviderStatus.All)
            {
                if (row.GetInt32(StatusColumn(status)) is int n && n > 0) byStatus[status] = n;
            }
        }
        // A limit of 0 allows nothing: the budget is fully used.
        var usedPercent = limit > 0 ? 100.0 * reserved / limit : 100.0;
        var allowed = quota.Pacing ? QuotaPacing.AllowedByNow(limit, quota.PacingBurst, window, now) : limit;
        // Paced, 90% used late in the month is the plan working, not a budget about to run out: a paced provider
        // alerts only when it is ahead of its pace (a lowered limit, pacing switched on after a burst of use).
        var alert = usedPercent >= quota.AlertThresholdPercent && (!quota.Pacing || reserved > allowed);
        return new QuotaStatus(
            quota.Provider,
            window.Key,
            window.StartUtc,
            window.EndUtc,
            limit,
            reserved,
            Math.Max(0, limit - reserved),
            row?.GetInt32(SucceededColumn) ?? 0,
            row?.GetInt32(FailedColumn) ?? 0,
            byStatus,
            usedPercent,
            alert,
            row?.GetDateTimeOffset(LastRequestColumn))
        {
            Period = Enum.TryParse<QuotaPeriod>(row?.GetString(PeriodColumn), out var period) ? period : quota.Period,
            Pacing = quota.Pacing,
            PacingBurst = quota.PacingBurst,
            AllowedByNow = allowed,
            ProjectedAtPeriodEnd = QuotaPacing.ProjectedAtPeriodEnd(reserved, limit, window, now),
            PacedIntervalSeconds = QuotaPacing.PacedIntervalSeconds(limit, window),
        };
    }

    /// <summary>
    /// Full jitter on an exponential base, so collectors that collided do not collide again in lock-step. Real time on
    /// purpose (not the TimeProvider): it is a pause between storage calls, not a business clock, and a frozen test
    /// clock must not stall the loop.
    /// </summary>
    private static Task BackoffAsync(int attempt, CancellationToken cancellationToken)
    {
        var ceilingMs = Math.Min(400, 10 * (1 << Math.Min(attempt, 6)));
        return Task.Delay(Random.Shared.Next(1, ceilingMs + 1), cancellationToken);
    }

    /// <summary>PartitionKey rules: no '/', '\', '#', '?' or control characters.</summary>
    private static void ValidateProvider(string provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        if (provider.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"provider name '{provider}' is not a valid partition key"), nameof(provider));
        }
    }
}
