using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.Core.Traffic.Here;

namespace Ayalon.Core.Audit;

/// <summary>
/// Rebuilds what the providers answered in one recorded cycle: the cycle record says who was asked, in which order,
/// and every attempt (target, status, tracking ids, timing); the raw archive holds each answer's final body, which is
/// classified and parsed again by that provider's own classifier, exactly as its client did when it arrived. Answers
/// without a body (timeouts, network errors) carry no pieces, so their recorded attempts are all there is to them.
/// </summary>
internal static class ArchivedCycle
{
    public static IReadOnlyList<ProviderFetch> Fetches(CycleRecord record, IReadOnlyList<ArchivedRead> bodies, double confidenceFloor,
        ICollection<AuditDifference> differences)
    {
        var byAttempt = new Dictionary<string, ArchivedRead>(StringComparer.Ordinal);
        foreach (var b in bodies)
        {
            if (b.Archived is { } a) byAttempt[a.Response.AttemptId] = b;
            else differences.Add(new AuditDifference(AyalonTables.RawResponses, b.PartitionKey + "/" + b.RowKey, "Body", b.Problem, "a readable body"));
        }

        var outcomes = record.Providers is { Count: > 0 } p
            ? p
            : [new ProviderOutcome(record.Provider, record.ProviderStatus, record.RequestsUsed, record.SectionsMeasured, null)];
        var answersByProvider = Group(record).ToLookup(g => g.Provider, StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var fetches = new List<ProviderFetch>();
        foreach (var outcome in outcomes)
        {
            var answers = answersByProvider[outcome.Provider]
                .Select(g => Answer(record, g.Provider, g.Attempts, byAttempt, used, confidenceFloor, differences))
                .ToList();
            fetches.Add(new ProviderFetch(outcome.Provider, outcome.Status, answers, outcome.Detail));
        }

        foreach (var b in bodies.Where(b => b.Archived is not null && !used.Contains(b.Archived.Response.AttemptId)))
        {
            differences.Add(new AuditDifference(AyalonTables.RawResponses, b.PartitionKey + "/" + b.RowKey, "AttemptId",
                b.Archived!.Response.AttemptId, "(no such final attempt in cycle " + record.CycleId + ")"));
        }
        return fetches;
    }

    /// <summary>
    /// A provider's answer is a first attempt and, after a retry-worthy failure, its one retry for the same target
    /// (<see cref="ProviderStatus.IsWorthRetrying"/>): the clients ask each target once per cycle.
    /// </summary>
    private static IEnumerable<(string Provider, List<AttemptRecord> Attempts)> Group(CycleRecord record)
    {
        List<AttemptRecord>? run = null;
        string? provider = null;
        foreach (var a in record.Attempts)
        {
            var p = a.Provider ?? record.Provider;
            if (run is { Count: 1 } && p == provider && a.SectionId == run[0].SectionId &&
                ProviderStatus.IsWorthRetrying(Attempt(run[0], 1, run[0].Status, run[0].ResponseTrackingId, 0)))
            {
                run.Add(a);
                continue;
            }
            if (run is not null) yield return (provider!, run);
            run = [a];
            provider = p;
        }
        if (run is not null) yield return (provider!, run);
    }

    private static ProviderAnswer Answer(CycleRecord record, string provider, List<AttemptRecord> recorded, Dictionary<string, ArchivedRead> byAttempt,
        HashSet<string> used, double confidenceFloor, ICollection<AuditDifference> differences)
    {
        var final = recorded[^1];
        var target = final.SectionId;
        if (final.RequestTrackingId is { } id && byAttempt.TryGetValue(id, out var read))
        {
            used.Add(id);
            var r = read.Archived!.Response;
            var responseTrackingId = r.ResponseTrackingId ?? final.ResponseTrackingId;
            var c = Classify(provider, r.HttpStatus ?? 200, r.Body, responseTrackingId ?? id, confidenceFloor);
            if (c is null)
            {
                differences.Add(new AuditDifference(AyalonTables.RawResponses, read.PartitionKey + "/" + read.RowKey, "Provider", provider, "(no parser for this provider)"));
                return NoBody(provider, recorded, target);
            }
            if (!string.Equals(r.Status, c.Value.Status, StringComparison.Ordinal))
            {
                differences.Add(new AuditDifference(AyalonTables.RawResponses, read.PartitionKey + "/" + read.RowKey, "Status", r.Status, c.Value.Status));
            }
            var attempts = recorded.Select((a, i) => Attempt(a, i + 1, i == recorded.Count - 1 ? c.Value.Status : a.Status,
                i == recorded.Count - 1 ? responseTrackingId : a.ResponseTrackingId, i == recorded.Count - 1 ? r.Body.LongLength : 0)).ToList();
            return new ProviderAnswer(provider, c.Value.Status, c.Value.Status == ProviderStatus.Ok ? c.Value.Pieces : [], attempts, r.Body,
                r.FetchedAtUtc, null, final.Detail, r.Target ?? target, c.Value.DroppedLowConfidence);
        }

        if (final.HttpStatus is not null)
        {
            // The provider answered, so the cycle archived the body (unless it was empty): without it nothing can be
            // recomputed from this answer, and everything derived from it shows up as a difference too.
            differences.Add(new AuditDifference(AyalonTables.RawResponses, $"cycle {record.CycleId} attempt {final.RequestTrackingId}", "Body",
                null, $"the body of an HTTP {final.HttpStatus} {final.Status} answer"));
        }
        return NoBody(provider, recorded, target);
    }

    private static ProviderAnswer NoBody(string provider, List<AttemptRecord> recorded, string target)
    {
        var final = recorded[^1];
        var attempts = recorded.Select((a, i) => Attempt(a, i + 1, a.Status, a.ResponseTrackingId, 0)).ToList();
        return new ProviderAnswer(provider, final.Status, [], attempts, null, final.StartedAtUtc.AddMilliseconds(final.ElapsedMs), null,
            final.Detail, target);
    }

    private static ProviderAttempt Attempt(AttemptRecord a, int number, string status, string? responseTrackingId, long bytes) =>
        new(number, status, a.HttpStatus, a.RedactedUrl, a.StartedAtUtc, a.ElapsedMs, a.RequestTrackingId ?? "", responseTrackingId, bytes, a.Detail);

    private readonly record struct Classification(string Status, IReadOnlyList<FlowPiece> Pieces, int DroppedLowConfidence);

    /// <summary>Each provider's own classifier, called as its client calls it.</summary>
    private static Classification? Classify(string provider, int httpStatus, byte[] body, string trackingId, double confidenceFloor)
    {
        if (provider == HereFlowParser.ProviderName)
        {
            var h = HereStatusClassifier.Classify(httpStatus, body, trackingId, confidenceFloor);
            return new Classification(h.Status, h.Pieces, h.Parsed?.DroppedLowConfidence ?? 0);
        }
        if (provider == TomTomFlowParser.ProviderName)
        {
            var t = TomTomStatusClassifier.Classify(httpStatus, body, trackingId);
            return new Classification(t.Status, t.Piece is { } piece ? [piece] : [], 0);
        }
        return null;
    }
}
