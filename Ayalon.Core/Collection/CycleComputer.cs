using System.Security.Cryptography;
using System.Text;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;

namespace Ayalon.Core.Collection;

/// <summary>Who started a cycle and when.</summary>
public sealed record CycleStart(string CycleId, string Trigger, DateTimeOffset StartedAtUtc);

/// <summary>Everything a cycle will write, computed before the first write.</summary>
public sealed record CycleWrites(
    CycleRecord Record,
    CycleImpact Impact,
    IReadOnlyList<RawResponse> RawResponses,
    IReadOnlyList<StoredObservation> Observations,
    IReadOnlyList<SectionHourContribution> Contributions);

/// <summary>
/// The compute step of a cycle: from the providers' turns and the previous latest state to the observations,
/// rollup contributions, raw bodies and the cycle record — pure, no clock and no I/O, so every rule here is
/// unit-tested without storage. Each section's value comes whole from one provider (the first that measured it).
/// </summary>
public sealed class CycleComputer(CorridorDefinition corridor, ImpactSettings impact)
{
    public CycleWrites Compute(CycleStart start, IReadOnlyList<ProviderTurn> turns, LatestState previous, DateTimeOffset finishedAtUtc)
    {
        if (turns.Count == 0) throw new ArgumentException("A cycle asks at least one provider.", nameof(turns));
        var (computed, sourceBySection) = impact.Calculator.Combine(corridor, turns.Select(t => t.Impact).ToList());

        var stored = new List<StoredObservation>();
        var duplicates = 0;
        var superseded = 0;
        foreach (var s in computed.Sections)
        {
            if (s.State == ObservationState.NoData) continue; // no data is not an observation: last-known-good stays
            var turn = turns[sourceBySection[s.SectionId]];
            var trackingByPiece = TrackingByPiece(turn.Fetch);
            var tracking = s.SourcePieceIds.SelectMany(p => trackingByPiece.GetValueOrDefault(p) ?? []).Order(StringComparer.Ordinal).ToList();
            var snapshot = SnapshotId(turn.Provider, s.SourcePieceIds, tracking);
            if (previous.Sections.TryGetValue(s.SectionId, out var before) && before.SnapshotId == snapshot)
            {
                duplicates++; // the same provider data again (a replayed answer): stored once, counted once
                continue;
            }
            if (before is not null && before.ObservedAtUtc >= s.ObservedAtUtc)
            {
                // Forward only: data older than (or as old as) what the section already shows is never stored over it.
                superseded++;
                continue;
            }
            stored.Add(new StoredObservation(s.SectionId, s.Direction, s.ObservedAtUtc, snapshot, s.State, s.Coverage,
                s.TravelTimeSeconds, s.FreeFlowTimeSeconds, s.DelaySeconds, s.SpeedKmh, s.FreeFlowSpeedKmh, s.Congested,
                string.Join(',', s.SourcePieceIds), string.Join(',', tracking), turn.Provider, start.CycleId,
                computed.MethodologyVersion, computed.ConstantsVersion));
        }

        var contributions = new List<SectionHourContribution>();
        foreach (var o in stored)
        {
            if (!previous.Sections.TryGetValue(o.SectionId, out var before) || before.ObservedAtUtc >= o.ObservedAtUtc) continue;
            var held = new DelaySample(before.ObservedAtUtc, before.State == ObservationState.Ok ? before.DelaySeconds : null, before.Congested);
            foreach (var c in impact.Integrator.Contributions(held, o.ObservedAtUtc, impact.VolumeProfile, o.Direction))
            {
                contributions.Add(new SectionHourContribution(o.SectionId, o.ObservedAtUtc, c, before.ObservedAtUtc));
            }
        }

        var raw = turns.SelectMany(t => t.Fetch.Answers)
            .Where(a => a.Body is { Length: > 0 } && a.FinalAttempt is not null)
            .Select(a => new RawResponse(start.CycleId, a.Provider, a.FetchedAtUtc, a.FinalAttempt!.RequestTrackingId, a.FinalAttempt.HttpStatus,
                a.Status, a.FinalAttempt.RedactedUrl, a.Body!, a.FinalAttempt.ResponseTrackingId, a.Target))
            .ToList();

        var record = Record(start, turns, computed, sourceBySection, stored.Count, duplicates, finishedAtUtc) with { SupersededObservations = superseded };
        return new CycleWrites(record, computed, raw, stored, contributions);
    }

    private CycleRecord Record(CycleStart start, IReadOnlyList<ProviderTurn> turns, CycleImpact computed,
        IReadOnlyDictionary<string, int> sourceBySection, int stored, int duplicates, DateTimeOffset finishedAtUtc)
    {
        var attempts = turns.SelectMany(t => t.Fetch.Answers).SelectMany(a => a.Attempts.Select(x => new AttemptRecord(
            a.Target, x.Status, x.HttpStatus, x.RedactedUrl, x.ElapsedMs, x.RequestTrackingId, x.ResponseTrackingId, x.ErrorDetail,
            x.StartedAtUtc, a.Provider))).ToList();
        var measuredBy = new int[turns.Count];
        foreach (var s in computed.Sections.Where(s => s.State is ObservationState.Ok or ObservationState.Closed))
        {
            measuredBy[sourceBySection[s.SectionId]]++;
        }
        var outcomes = turns.Select((t, i) => new ProviderOutcome(t.Provider, t.Fetch.Status, t.Fetch.RequestsSent, measuredBy[i], t.Fetch.Detail)).ToList();
        var primary = Enumerable.Range(0, turns.Count).OrderByDescending(i => measuredBy[i]).ThenBy(i => i).First();

        var measured = computed.Sections.Count(s => s.State == ObservationState.Ok);
        // A closure is a measured state of the road (reported, with no delay value), not a collection failure.
        var observed = computed.Sections.Count(s => s.State is ObservationState.Ok or ObservationState.Closed);
        var providerStatus = turns[primary].Fetch.Status;
        string status;
        if (observed == corridor.Sections.Count) status = CycleStatus.Ok;
        else if (observed > 0) status = CycleStatus.Partial;
        // Paced or backing off: nothing was asked on purpose (the allowance lasts the period; a failing provider is
        // left alone for a while). A skip with its reason, not a failure of this cycle.
        else if (turns.All(t => t.Fetch.Status is ProviderStatus.QuotaPacing or ProviderStatus.ProviderBackoff)) status = CycleStatus.Skipped;
        else status = CycleStatus.Failed;
        var message = status switch
        {
            CycleStatus.Ok => null,
            CycleStatus.Skipped => string.Join("; ", turns.Select(t => $"{t.Fetch.Status}: {t.Provider} {t.Fetch.Detail}")),
            _ => DescribeShortfall(computed, outcomes),
        };
        var dropped = computed.DroppedLowConfidence + turns.SelectMany(t => t.Fetch.Answers).Sum(a => a.DroppedLowConfidence);
        return new CycleRecord(start.CycleId, start.Trigger, start.StartedAtUtc, finishedAtUtc, status, providerStatus, turns[primary].Provider,
            attempts.Count, measured, corridor.Sections.Count, stored, duplicates, dropped, attempts, message,
            impact.Constants.MethodologyVersion, outcomes);
    }

    private static string DescribeShortfall(CycleImpact computed, IReadOnlyList<ProviderOutcome> outcomes)
    {
        var notMeasured = computed.Sections.Where(s => s.State != ObservationState.Ok).Select(s => s.SectionId + ": " + s.State);
        var providers = string.Join(", ", outcomes.Select(o => o.Detail is null ? $"{o.Provider} {o.Status}" : $"{o.Provider} {o.Status} ({o.Detail})"));
        return $"provider {providers}; not measured — " + string.Join("; ", notMeasured);
    }

    private static Dictionary<string, List<string>> TrackingByPiece(ProviderFetch fetch)
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var a in fetch.Answers.Where(a => a.Status == ProviderStatus.Ok && a.TrackingId is not null))
        {
            foreach (var piece in a.Pieces)
            {
                if (!map.TryGetValue(piece.PieceId, out var list)) map[piece.PieceId] = list = [];
                if (!list.Contains(a.TrackingId!)) list.Add(a.TrackingId!);
            }
        }
        return map;
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
