using Ayalon.Core.Corridor;
using Ayalon.Core.Traffic;

namespace Ayalon.Core.Impact;

/// <summary>
/// Turns one cycle's match into per-section and per-direction observations (methodology version 2, docs/METHODOLOGY.md §3).
/// Pure: no clock, no I/O; the observation time is the caller's (provider response time or fetch time).
/// </summary>
public sealed class ImpactCalculator(ImpactConstants constants)
{
    public ImpactConstants Constants { get; } = constants ?? throw new ArgumentNullException(nameof(constants));

    /// <summary>Match <paramref name="pieces"/> with <paramref name="matcher"/>, then compute the cycle.</summary>
    /// <remarks>
    /// No production caller (the cycle and replay match first, to report the match's piece statuses): it stays as the
    /// methodology's one-call form (match, then compute) that the physics tests drive with recorded and synthetic pieces.
    /// </remarks>
    public CycleImpact ComputeCycle(CorridorMatcher matcher, IReadOnlyList<FlowPiece> pieces, DateTimeOffset observedAtUtc)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        return ComputeCycle(matcher.Corridor, matcher.Match(pieces), observedAtUtc);
    }

    /// <summary>Compute the cycle from an existing match of <paramref name="corridor"/>.</summary>
    public CycleImpact ComputeCycle(CorridorDefinition corridor, CorridorMatch match, DateTimeOffset observedAtUtc)
    {
        ArgumentNullException.ThrowIfNull(corridor);
        ArgumentNullException.ThrowIfNull(match);
        var at = observedAtUtc.ToUniversalTime();

        var sections = new List<SectionObservation>(corridor.Sections.Count);
        foreach (var section in corridor.Sections)
        {
            var m = match.Sections.FirstOrDefault(x => x.SectionId == section.Id)
                    ?? throw new ArgumentException($"The match has no entry for section '{section.Id}'.", nameof(match));
            sections.Add(ComputeSection(section, m, at));
        }

        var directions = corridor.Directions
            .Select(d => ComputeDirection(d, sections.Where(s => s.Direction == d).ToList(), at))
            .ToList();

        return new CycleImpact(Constants.MethodologyVersion, Constants.ConstantsVersion, at, sections, directions,
            match.Pieces, match.DroppedLowConfidence, match.DuplicatePieces);
    }

    /// <summary>
    /// One cycle from several providers' results, in priority order: each section takes the first result that
    /// measured it (ok or closed), else the first that saw part of it (insufficient coverage), else no data. Sections
    /// are never blended across providers: each value comes whole from one provider's pieces. Returns the merged
    /// cycle and, per section, the index of the result it came from.
    /// </summary>
    public (CycleImpact Impact, IReadOnlyDictionary<string, int> SourceBySection) Combine(
        CorridorDefinition corridor, IReadOnlyList<CycleImpact> byPriority)
    {
        ArgumentNullException.ThrowIfNull(corridor);
        if (byPriority.Count == 0) throw new ArgumentException("Nothing to combine.", nameof(byPriority));
        var source = new Dictionary<string, int>(StringComparer.Ordinal);
        var sections = new List<SectionObservation>(corridor.Sections.Count);
        foreach (var section in corridor.Sections)
        {
            var chosen = Pick(byPriority, section.Id, s => s.State is ObservationState.Ok or ObservationState.Closed)
                         ?? Pick(byPriority, section.Id, s => s.State == ObservationState.InsufficientCoverage)
                         ?? 0;
            source[section.Id] = chosen;
            sections.Add(byPriority[chosen].Section(section.Id));
        }
        var at = sections.Where(s => s.State != ObservationState.NoData).Select(s => s.ObservedAtUtc)
            .DefaultIfEmpty(byPriority[0].ObservedAtUtc).Max();
        var directions = corridor.Directions
            .Select(d => ComputeDirection(d, sections.Where(s => s.Direction == d).ToList(), at))
            .ToList();
        return (new CycleImpact(Constants.MethodologyVersion, Constants.ConstantsVersion, at, sections, directions,
            byPriority.SelectMany(c => c.Pieces).ToList(), byPriority.Sum(c => c.DroppedLowConfidence),
            byPriority.Sum(c => c.DuplicatePieces)), source);
    }

    private static int? Pick(IReadOnlyList<CycleImpact> byPriority, string sectionId, Func<SectionObservation, bool> accept)
    {
        for (var i = 0; i < byPriority.Count; i++)
        {
            if (accept(byPriority[i].Section(sectionId))) return i;
        }
        return null;
    }

    /// <summary>One section's observation from its match (exposed for tests and recomputation).</summary>
    public SectionObservation ComputeSection(CorridorSection section, SectionMatch m, DateTimeOffset observedAtUtc)
    {
        string state;
        if (m.MatchedBinCount == 0) state = ObservationState.NoData;
        else if (m.ClosureSeen) state = ObservationState.Closed;
        else if (m.Coverage < Constants.CoverageThreshold) state = ObservationState.InsufficientCoverage;
        else state = ObservationState.Ok;

        if (state != ObservationState.Ok)
        {
            return new SectionObservation(section.Id, section.Direction, section.From, section.To, section.LengthMeters,
                state, m.Coverage, m.CoveredLengthMeters, null, null, null, null, null, false, m.SourcePieceIds, observedAtUtc);
        }

        // Times and delay come from the same bins and are scaled by one factor to the full section. The delay is
        // the matcher's per-bin clamped sum Σ max(0, len/v − len/v_ff), not max(0, T_obs − T_ff): a bin faster
        // than free flow adds 0 instead of cancelling lost time elsewhere, so d = 0 iff v ≥ v_ff on every timed bin.
        var scale = section.LengthMeters / m.TimedLengthMeters;
        var travelSeconds = m.ObservedTravelTimeSeconds * scale;
        var freeFlowSeconds = m.FreeFlowTravelTimeSeconds * scale;
        var delaySeconds = m.DelaySeconds * scale;
        return new SectionObservation(section.Id, section.Direction, section.From, section.To, section.LengthMeters,
            state, m.Coverage, m.CoveredLengthMeters, travelSeconds, freeFlowSeconds, delaySeconds,
            SpeedKmh(section.LengthMeters, travelSeconds), SpeedKmh(section.LengthMeters, freeFlowSeconds),
            IsCongested(delaySeconds, freeFlowSeconds), m.SourcePieceIds, observedAtUtc);
    }

    private DirectionObservation ComputeDirection(string direction, IReadOnlyList<SectionObservation> sections, DateTimeOffset at)
    {
        var ids = sections.Select(s => s.SectionId).ToList();
        var length = sections.Sum(s => s.LengthMeters);
        var missing = sections.Where(s => !s.HasValue).ToList();
        if (missing.Count > 0)
        {
            var state = missing.Count == sections.Count && missing.All(s => s.State == ObservationState.NoData)
                ? ObservationState.NoData
                : missing.Any(s => s.State == ObservationState.Closed) ? ObservationState.Closed
                : ObservationState.Incomplete;
            var reason = "not all sections measured in this cycle: " +
                         string.Join(", ", missing.Select(s => $"{s.SectionId} {s.State}"));
            return new DirectionObservation(direction, state, reason, ids, length, null, null, null, null, null, false, at);
        }

        var travel = sections.Sum(s => s.TravelTimeSeconds!.Value);
        var freeFlow = sections.Sum(s => s.FreeFlowTimeSeconds!.Value);
        var delay = sections.Sum(s => s.DelaySeconds!.Value);
        return new DirectionObservation(direction, ObservationState.Ok, null, ids, length, travel, freeFlow, delay,
            SpeedKmh(length, travel), SpeedKmh(length, freeFlow), IsCongested(delay, freeFlow), at);
    }

    public bool IsCongested(double delaySeconds, double freeFlowSeconds) =>
        freeFlowSeconds > 0 && delaySeconds / freeFlowSeconds > Constants.CongestionThreshold;

    private static double SpeedKmh(double lengthMeters, double seconds) =>
        Units.MetersPerSecondToKmh(lengthMeters / seconds);
}
