using Ayalon.Core.Corridor;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Microsoft.Extensions.Logging;

namespace Ayalon.Core.Collection;

/// <summary>The outcome of one collection cycle.</summary>
public sealed record CycleResult(
    string CycleId,
    DateTimeOffset StartedAtUtc,
    DateTimeOffset FinishedAtUtc,
    string Status,
    string ProviderStatus,
    int RequestsUsed,
    int SectionsMeasured);

/// <summary>
/// One collection cycle: ask the provider once per section midpoint, keep what it answered, update the latest
/// state. First version of the walking thread; the quota ledger, lease, matcher and full persistence come in
/// the collection step.
/// </summary>
public sealed class CollectionCycle(
    CorridorDefinition corridor,
    TomTomClient provider,
    LatestStateStore latest,
    TimeProvider time,
    ILogger<CollectionCycle> logger)
{
    public async Task<CycleResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var cycleId = started.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
        logger.LogInformation("Cycle {CycleId} started", cycleId);

        var rows = new List<SectionLatest>();
        var requests = 0;
        var lastStatus = ProviderStatus.Ok;
        foreach (var section in corridor.Sections)
        {
            var call = await provider.GetFlowAsync(section.Midpoint, cancellationToken).ConfigureAwait(false);
            if (call.Status != ProviderStatus.NotConfigured) requests++;
            lastStatus = call.Status;
            if (call.Status != ProviderStatus.Ok || call.Body is null)
            {
                logger.LogWarning("Cycle {CycleId} section {SectionId}: provider status {ProviderStatus}", cycleId, section.Id, call.Status);
                if (call.Status is ProviderStatus.NotConfigured or ProviderStatus.NoCoverage or ProviderStatus.AuthError) break;
                continue;
            }
            var parsed = TomTomFlowParser.Parse(call.Body, call.TrackingId);
            if (!parsed.IsOk)
            {
                lastStatus = ProviderStatus.ParseError;
                logger.LogWarning("Cycle {CycleId} section {SectionId}: parse error {Reason}", cycleId, section.Id, parsed.Error);
                continue;
            }
            var piece = parsed.Piece!;
            var now = time.GetUtcNow();
            if (piece.RoadClosure)
            {
                rows.Add(new SectionLatest(section.Id, now, now, "closed", null, null, null, null, piece.FreeFlowSpeedKmh, 1, piece.Provider, piece.TrackingId, cycleId));
                continue;
            }
            var travel = section.LengthMeters / (piece.CurrentSpeedKmh / 3.6);
            var freeFlow = section.LengthMeters / (piece.FreeFlowSpeedKmh / 3.6);
            rows.Add(new SectionLatest(section.Id, now, now, "ok", travel, freeFlow, Math.Max(0, travel - freeFlow),
                piece.CurrentSpeedKmh, piece.FreeFlowSpeedKmh, 1, piece.Provider, piece.TrackingId, cycleId));
        }

        await latest.UpsertAsync(rows, cancellationToken).ConfigureAwait(false);
        var status = rows.Count == corridor.Sections.Count ? "ok" : rows.Count > 0 ? "partial" : "failed";
        var finished = time.GetUtcNow();
        logger.LogInformation("Cycle {CycleId} finished {Status}: {Measured}/{Total} sections, {Requests} requests, provider {ProviderStatus}",
            cycleId, status, rows.Count, corridor.Sections.Count, requests, lastStatus);
        return new CycleResult(cycleId, started, finished, status, lastStatus, requests, rows.Count);
    }
}
