using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Microsoft.Extensions.Logging;

namespace Ayalon.Core.Collection;

/// <summary>
/// One collection cycle (DESIGN §4): claim the lease, ask the provider once per section midpoint not yet covered
/// by an earlier piece of this cycle (each request reserved in the quota ledger first), match and compute, then
/// persist — raw bodies, observations, hourly rollups, and only then the latest state and the cycle record.
/// The only component that ever calls a traffic provider. A storage failure fails the cycle loudly; a provider
/// failure is a recorded cycle with its status, never invented data.
/// </summary>
public sealed class CollectionCycle(
    CorridorDefinition corridor,
    ImpactSettings impact,
    ITrafficProvider provider,
    QuotaLedger ledger,
    CycleLease lease,
    ObservationStore observations,
    LatestStateStore latest,
    CycleStore cycles,
    RollupStore rollups,
    RawResponseArchive archive,
    ICollectorTelemetry telemetry,
    Microsoft.Extensions.Options.IOptionsMonitor<QuotaOptions> quotaOptions,
    TimeProvider time,
    ILogger<CollectionCycle> logger)
{
    /// <summary>Statuses after which asking again in this cycle only burns quota.</summary>
    private static readonly HashSet<string> StopStatuses =
        [ProviderStatus.NoCoverage, ProviderStatus.AuthError, ProviderStatus.NotConfigured, ProviderStatus.QuotaExhausted, ProviderStatus.RateLimited];

    public async Task<CycleRecord> RunAsync(string trigger, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var cycleId = started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CycleId"] = cycleId, ["Trigger"] = trigger });
        using var context = CycleContext.Enter(cycleId);
        Activity.Current?.SetTag("ayalon.cycle_id", cycleId);

        try
        {
            // The lease is a storage call too: storage already down at the start fails the cycle the same plain way.
            var claim = await lease.TryAcquireAsync(CycleLease.CollectionLease, cycleId, lease.DefaultMinInterval, cancellationToken).ConfigureAwait(false);
            if (!claim.Acquired)
            {
                logger.LogInformation("Cycle {CycleId} skipped: {SkipReason}", cycleId, claim.SkipReason);
                var skipped = Record(cycleId, trigger, started, CycleStatus.Skipped, ProviderStatus.Ok, [], 0, 0, 0, 0, claim.SkipReason);
                telemetry.CycleCompleted(skipped);
                return skipped;
            }

            logger.LogInformation("Cycle {CycleId} started ({Trigger})", cycleId, trigger);
            var record = await CollectAsync(cycleId, trigger, started, cancellationToken).ConfigureAwait(false);
            telemetry.CycleCompleted(record);
            logger.LogInformation(
                "Cycle {CycleId} finished {CycleStatus}: provider {ProviderStatus}, {RequestsUsed} requests, {SectionsMeasured}/{SectionsTotal} sections, {ObservationsStored} observations stored, {DurationMs:0} ms",
                cycleId, record.Status, record.ProviderStatus, record.RequestsUsed, record.SectionsMeasured, record.SectionsTotal,
                record.ObservationsStored, record.DurationMs);
            return record;
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or IOException or AggregateException or TimeoutException)
        {
            // Storage failed: nothing after the failing write happened, the latest state was not moved, and the next
            // cycle starts from the last-known-good. Fail loudly with a message of ours (never the exception text,
            // which could carry a URL) and let the host record the failed invocation.
            var failed = Record(cycleId, trigger, started, CycleStatus.Failed, ProviderStatus.Ok, [], 0, 0, 0, 0,
                "storage_error: " + ex.GetType().Name);
            telemetry.CycleCompleted(failed);
            logger.LogError("Cycle {CycleId} failed: Table Storage is unavailable ({ExceptionType}); latest state left as it was",
                cycleId, ex.GetType().Name);
            throw new CycleFailedException(cycleId, "Table Storage is unavailable; the cycle was not recorded.");
        }
    }

    private async Task<CycleRecord> CollectAsync(string cycleId, string trigger, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var state = await latest.ReadAsync(cancellationToken).ConfigureAwait(false);
        var attempts = new List<AttemptRecord>();
        var raw = new List<RawResponse>();
        var pieces = new List<FlowPiece>();
        var trackingByPiece = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var outcomes = new List<(DateTimeOffset ReservedAt, string Status)>();
        DateTimeOffset? observedAt = null;
        string? stopStatus = null;
        string? lastFailure = null;
        var requests = 0;
        Corridor.CorridorMatch? match = null;

        var pending = new List<CorridorSection>(corridor.Sections);
        if (!provider.IsConfigured)
        {
            stopStatus = ProviderStatus.NotConfigured;
            pending.Clear();
        }

        while (pending.Count > 0)
        {
            var section = pending[0];
            pending.RemoveAt(0);

            var reservation = await ledger.TryReserveAsync(provider.Name, 1, cancellationToken).ConfigureAwait(false);
            if (!reservation.Granted)
            {
                stopStatus = ProviderStatus.QuotaExhausted;
                logger.LogWarning("Cycle {CycleId}: quota exhausted ({Reserved}/{Limit} in {Period}); no request for {SectionId}",
                    cycleId, reservation.Reserved, reservation.Limit, reservation.PeriodKey, section.Id);
                break;
            }

            var extraReservedAt = new List<DateTimeOffset>();
            var answer = await provider.GetFlowAsync(section.Midpoint, async (failed, ct) =>
            {
                var extra = await ledger.TryReserveAsync(provider.Name, 1, ct).ConfigureAwait(false);
                if (extra.Granted) extraReservedAt.Add(extra.ReservedAtUtc);
                return extra.Granted;
            }, cancellationToken).ConfigureAwait(false);

            requests += answer.RequestsSent;
            for (var i = 0; i < answer.Attempts.Count; i++)
            {
                var a = answer.Attempts[i];
                outcomes.Add((i == 0 ? reservation.ReservedAtUtc : extraReservedAt.ElementAtOrDefault(i - 1), a.Status));
                attempts.Add(new AttemptRecord(section.Id, a.Status, a.HttpStatus, a.RedactedUrl, a.ElapsedMs,
                    a.RequestTrackingId, a.ResponseTrackingId, a.ErrorDetail, a.StartedAtUtc));
                telemetry.ProviderCall(a.Status, a.ElapsedMs);
            }
            if (answer.RequestsSent == 0)
            {
                // Nothing was sent (e.g. the key turned out to be unusable): give the reservation back.
                await ledger.ReleaseAsync(provider.Name, reservation.ReservedAtUtc, 1, cancellationToken).ConfigureAwait(false);
            }
            if (answer.Body is { Length: > 0 } body && answer.FinalAttempt is { } final)
            {
                raw.Add(new RawResponse(cycleId, provider.Name, answer.FetchedAtUtc, final.RequestTrackingId, final.HttpStatus,
                    answer.Status, final.RedactedUrl, body));
            }

            if (answer.Status == ProviderStatus.Ok && answer.Piece is { } piece)
            {
                observedAt ??= answer.FetchedAtUtc;
                pieces.Add(piece);
                if (answer.TrackingId is { } tid)
                {
                    if (!trackingByPiece.TryGetValue(piece.PieceId, out var list)) trackingByPiece[piece.PieceId] = list = [];
                    list.Add(tid);
                }
                // Sections this cycle's pieces already cover need no request of their own.
                match = impact.Matcher.Match(pieces);
                pending.RemoveAll(s => match.Section(s.Id).Coverage >= impact.Constants.CoverageThreshold);
                continue;
            }

            lastFailure = answer.Status;
            logger.LogWarning("Cycle {CycleId}: provider answered {ProviderStatus} for {SectionId} ({Detail})",
                cycleId, answer.Status, section.Id, answer.Detail ?? answer.FinalAttempt?.ErrorDetail);
            if (StopStatuses.Contains(answer.Status))
            {
                stopStatus = answer.Status;
                break;
            }
        }

        // Every outbound request counts in the ledger, whatever its answer.
        foreach (var group in outcomes.GroupBy(o => QuotaPeriods.For(quotaOptions.CurrentValue.Period, o.ReservedAt).Key))
        {
            await ledger.RecordOutcomesAsync(provider.Name, group.First().ReservedAt, group.Select(o => o.Status).ToList(), cancellationToken).ConfigureAwait(false);
        }

        var at = observedAt ?? time.GetUtcNow();
        // The match of every piece this cycle received is already at hand from the planning loop.
        var computed = impact.Calculator.ComputeCycle(corridor, match ?? impact.Matcher.Match(pieces), at);
        var stored = new List<StoredObservation>();
        var duplicates = 0;
        foreach (var s in computed.Sections)
        {
            if (s.State == ObservationState.NoData) continue; // no data is not an observation: last-known-good stays
            var tracking = s.SourcePieceIds.SelectMany(p => trackingByPiece.GetValueOrDefault(p) ?? []).Order(StringComparer.Ordinal).ToList();
            var snapshot = SnapshotId(provider.Name, s.SourcePieceIds, tracking);
            if (state.Sections.TryGetValue(s.SectionId, out var previous) && previous.SnapshotId == snapshot)
            {
                duplicates++; // the same provider data again (a replayed answer): stored once, counted once
                continue;
            }
            stored.Add(new StoredObservation(s.SectionId, s.Direction, s.ObservedAtUtc, snapshot, s.State, s.Coverage,
                s.TravelTimeSeconds, s.FreeFlowTimeSeconds, s.DelaySeconds, s.SpeedKmh, s.FreeFlowSpeedKmh, s.Congested,
                string.Join(',', s.SourcePieceIds), string.Join(',', tracking), provider.Name, cycleId,
                computed.MethodologyVersion, computed.ConstantsVersion));
        }

        var contributions = new List<SectionHourContribution>();
        foreach (var o in stored)
        {
            if (!state.Sections.TryGetValue(o.SectionId, out var previous) || previous.ObservedAtUtc >= o.ObservedAtUtc) continue;
            var held = new DelaySample(previous.ObservedAtUtc, previous.State == ObservationState.Ok ? previous.DelaySeconds : null, previous.Congested);
            foreach (var c in impact.Integrator.Contributions(held, o.ObservedAtUtc, impact.VolumeProfile, o.Direction))
            {
                contributions.Add(new SectionHourContribution(o.SectionId, o.ObservedAtUtc, c));
            }
        }

        var measured = computed.Sections.Count(s => s.State == ObservationState.Ok);
        var providerStatus = stopStatus ?? lastFailure ?? ProviderStatus.Ok;
        // A closure is a measured state of the road (reported, with no delay value), not a collection failure.
        var observed = computed.Sections.Count(s => s.State is ObservationState.Ok or ObservationState.Closed);
        var status = observed == corridor.Sections.Count ? CycleStatus.Ok : observed > 0 ? CycleStatus.Partial : CycleStatus.Failed;
        var message = status == CycleStatus.Ok ? null : DescribeShortfall(computed, providerStatus);
        var record = Record(cycleId, trigger, started, status, providerStatus, attempts, requests, measured, stored.Count, duplicates, message,
            computed.DroppedLowConfidence);

        // Write order matters: everything a reader could see as "data" is written before the latest state moves.
        await archive.StoreAsync(raw, cancellationToken).ConfigureAwait(false);
        await observations.WriteAsync(stored, cancellationToken).ConfigureAwait(false);
        await rollups.ApplyAsync(contributions, cancellationToken).ConfigureAwait(false);
        await latest.WriteAsync(stored, record, cancellationToken).ConfigureAwait(false);
        await cycles.WriteAsync(record, cancellationToken).ConfigureAwait(false);

        if (state.LastCycle is { } last && last.StartedAtUtc.UtcDateTime.Date != started.UtcDateTime.Date)
        {
            // First cycle of a UTC day: drop raw bodies past their retention.
            var removed = await archive.DeleteExpiredAsync(started, cancellationToken).ConfigureAwait(false);
            if (removed > 0) logger.LogInformation("Cycle {CycleId}: removed {Removed} raw bodies older than {Days} days", cycleId, removed, RawResponseArchive.RetentionDays);
        }

        foreach (var d in computed.Directions.Where(d => d.DelaySeconds.HasValue))
        {
            telemetry.CorridorDelay(d.Direction, d.DelaySeconds!.Value);
        }
        var newest = state.Sections.Values.Concat(stored).Where(o => o.State == ObservationState.Ok)
            .Select(o => (DateTimeOffset?)o.ObservedAtUtc).Max();
        if (newest is { } n) telemetry.DataAge(Math.Max(0, (time.GetUtcNow() - n).TotalSeconds));
        await ObserveQuotaAsync(cycleId, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>Quota metrics after the cycle's requests are recorded; everything is persisted by now, so a read
    /// failure here costs a metric point, not the cycle.</summary>
    private async Task ObserveQuotaAsync(string cycleId, CancellationToken cancellationToken)
    {
        try
        {
            telemetry.QuotaObserved(await ledger.GetStatusAsync(provider.Name, allowLastSeen: true, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or IOException or AggregateException or TimeoutException)
        {
            logger.LogWarning("Cycle {CycleId}: quota not read for telemetry ({ExceptionType})", cycleId, ex.GetType().Name);
        }
    }

    private CycleRecord Record(string cycleId, string trigger, DateTimeOffset started, string status, string providerStatus,
        IReadOnlyList<AttemptRecord> attempts, int requests, int measured, int stored, int duplicates, string? message, int droppedLowConfidence = 0) =>
        new(cycleId, trigger, started, time.GetUtcNow(), status, providerStatus, provider.Name, requests, measured, corridor.Sections.Count,
            stored, duplicates, droppedLowConfidence, attempts, message, impact.Constants.MethodologyVersion);

    private static string DescribeShortfall(CycleImpact computed, string providerStatus)
    {
        var notMeasured = computed.Sections.Where(s => s.State != ObservationState.Ok)
            .Select(s => s.SectionId + ": " + s.State);
        return $"provider {providerStatus}; not measured — " + string.Join("; ", notMeasured);
    }

    /// <summary>
    /// Identity of the provider data behind one section's observation: the same pieces from the same provider
    /// answers (tracking ids) are the same snapshot, however often they are fed in.
    /// </summary>
    public static string SnapshotId(string provider, IEnumerable<string> pieceIds, IEnumerable<string> trackingIds)
    {
        var text = provider + "|" + string.Join(',', pieceIds.Order(StringComparer.Ordinal)) + "|" + string.Join(',', trackingIds);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 12));
    }
}

/// <summary>A cycle that could not be completed or recorded (storage unavailable). The message never holds exception text.</summary>
public sealed class CycleFailedException(string cycleId, string message) : Exception(message)
{
    public string CycleId { get; } = cycleId;
}
