using System.Globalization;
using Ayalon.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Collection;

/// <summary>
/// The answer to a lease claim. <see cref="Acquired"/> false means "skip this cycle"; <see cref="SkipReason"/> says
/// why in words fit for a log line and the cycle record.
/// </summary>
public sealed record LeaseResult(
    bool Acquired,
    string LeaseName,
    string HolderId,
    DateTimeOffset AttemptedAtUtc,
    string? SkipReason,
    string? PreviousHolderId,
    DateTimeOffset? PreviousStartedUtc);

/// <summary>
/// "At most one cycle per minimum interval", across instances: one Table Storage row per lease name holding the last
/// start time and its holder, changed only with the row's ETag. The Functions timer is known to fire twice (and a
/// scaled-out app runs it on several instances); the loser of a race, or a caller within the interval, skips.
/// A start is a claim on the interval, not a lock held while running: a crashed cycle never blocks the next one.
/// </summary>
public sealed class CycleLease(
    AyalonTables tables,
    IOptionsMonitor<CollectorOptions> options,
    TimeProvider time,
    ILogger<CycleLease> logger)
{
    public const string CollectionLease = "collection";

    private const string Partition = "lease";
    private const string LastStartedColumn = "LastStartedUtc";
    private const string HolderColumn = "Holder";
    private const string FinishedColumn = "FinishedUtc";
    private const string OutcomeColumn = "Outcome";

    /// <summary>Collector:MinIntervalSeconds.</summary>
    public TimeSpan DefaultMinInterval => TimeSpan.FromSeconds(options.CurrentValue.MinIntervalSeconds);

    /// <summary>Claims <paramref name="leaseName"/> for a new, generated holder id (returned in the result).</summary>
    public Task<LeaseResult> TryAcquireAsync(string leaseName, TimeSpan minInterval, CancellationToken cancellationToken) =>
        TryAcquireAsync(leaseName, "cycle-" + Guid.NewGuid().ToString("N")[..12], minInterval, cancellationToken);

    /// <summary>
    /// Claims <paramref name="leaseName"/> for <paramref name="holderId"/> (the cycle id) unless the last claim started
    /// less than <paramref name="minInterval"/> ago. Of callers racing for the same row exactly one wins: the others
    /// get 409 (row created under them) or 412 (row changed under them) and skip.
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
        };

        if (row is null)
        {
            try
            {
                await table.AddEntityAsync(claim, cancellationToken).ConfigureAwait(false);
                return Won(leaseName, holderId, now, null, null);
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
                    $"previous cycle {previousHolder} started {sinceSeconds:0} s ago (minimum interval {minInterval.TotalSeconds:0} s)");
                logger.LogInformation("Lease {LeaseName} not taken by {HolderId}: {Reason}", leaseName, holderId, reason);
                return new LeaseResult(false, leaseName, holderId, now, reason, previousHolder, started);
            }
        }

        try
        {
            await table.UpdateEntityAsync(claim, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return Won(leaseName, holderId, now, previousHolder, previousStarted);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return await LostAsync(table, leaseName, holderId, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Marks the holder's cycle finished (for operators reading the row). Does not shorten the interval: the next
    /// cycle may start <c>minInterval</c> after this one started, finished or not. A no-op if another holder took over.
    /// </summary>
    public async Task<bool> ReleaseAsync(string leaseName, string holderId, string outcome, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.CycleLeases, cancellationToken).ConfigureAwait(false);
        var row = await ReadAsync(table, leaseName, cancellationToken).ConfigureAwait(false);
        if (row is null || row.GetString(HolderColumn) != holderId) return false;
        var patch = new TableEntity(Partition, leaseName)
        {
            [FinishedColumn] = time.GetUtcNow(),
            [OutcomeColumn] = outcome,
        };
        try
        {
            await table.UpdateEntityAsync(patch, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false; // a newer cycle claimed the row meanwhile; its claim stands
        }
    }

    private LeaseResult Won(string leaseName, string holderId, DateTimeOffset now, string? previousHolder, DateTimeOffset? previousStarted)
    {
        logger.LogInformation("Lease {LeaseName} taken by {HolderId}", leaseName, holderId);
        return new LeaseResult(true, leaseName, holderId, now, null, previousHolder, previousStarted);
    }

    private async Task<LeaseResult> LostAsync(TableClient table, string leaseName, string holderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var winner = await ReadAsync(table, leaseName, cancellationToken).ConfigureAwait(false);
        var winnerId = winner?.GetString(HolderColumn);
        var winnerStarted = winner?.GetDateTimeOffset(LastStartedColumn);
        var reason = string.Create(CultureInfo.InvariantCulture, $"previous cycle {winnerId} started {(now - (winnerStarted ?? now)).TotalSeconds:0} s ago (claimed concurrently)");
        logger.LogInformation("Lease {LeaseName} not taken by {HolderId}: {Reason}", leaseName, holderId, reason);
        return new LeaseResult(false, leaseName, holderId, now, reason, winnerId, winnerStarted);
    }

    private static async Task<TableEntity?> ReadAsync(TableClient table, string leaseName, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, leaseName, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }
}
