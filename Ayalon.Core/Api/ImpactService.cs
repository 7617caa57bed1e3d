using Ayalon.Core.Corridor;
using Ayalon.Core.Storage;

namespace Ayalon.Core.Api;

public sealed record SectionImpact(
    string SectionId,
    string Direction,
    string From,
    string To,
    double LengthMeters,
    string State,
    DateTimeOffset? ObservedAtUtc,
    double? TravelTimeSeconds,
    double? FreeFlowTimeSeconds,
    double? DelaySeconds,
    double? SpeedKmh,
    double? FreeFlowSpeedKmh,
    double Coverage,
    string? Provider,
    string? TrackingId);

public sealed record ImpactResponse(
    DateTimeOffset GeneratedAtUtc,
    string Corridor,
    string Attribution,
    IReadOnlyList<SectionImpact> Sections);

/// <summary>Builds /api/impact from persisted state only (first version; the API step completes it).</summary>
public sealed class ImpactService(CorridorDefinition corridor, LatestStateStore latest, TimeProvider time)
{
    /// <summary>Newer than this an observation is current; then stale; then old.</summary>
    public static readonly TimeSpan CurrentAge = TimeSpan.FromSeconds(600);
    public static readonly TimeSpan StaleAge = TimeSpan.FromSeconds(1800);

    public async Task<ImpactResponse> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = (await latest.ReadAsync(cancellationToken).ConfigureAwait(false)).Sections;
        var sections = corridor.Sections.Select(s =>
        {
            if (!rows.TryGetValue(s.Id, out var r))
            {
                return new SectionImpact(s.Id, s.Direction, s.From, s.To, s.LengthMeters, "none", null, null, null, null, null, null, 0, null, null);
            }
            var age = now - r.ObservedAtUtc;
            var state = r.State != "ok" ? r.State : age < CurrentAge ? "current" : age < StaleAge ? "stale" : "old";
            return new SectionImpact(s.Id, s.Direction, s.From, s.To, s.LengthMeters, state, r.ObservedAtUtc,
                r.TravelTimeSeconds, r.FreeFlowTimeSeconds, r.DelaySeconds, r.SpeedKmh, r.FreeFlowSpeedKmh, r.Coverage, r.Provider, r.TrackingIds);
        }).ToList();
        return new ImpactResponse(now, corridor.Name, corridor.Attribution, sections);
    }
}
