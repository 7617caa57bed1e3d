namespace Ayalon.Core.Impact;

/// <summary>The state vocabulary for one section or direction in one cycle.</summary>
public static class ObservationState
{
    /// <summary>Measured: coverage at or above the threshold, no closure; carries travel times and delay.</summary>
    public const string Ok = "ok";

    /// <summary>Some bins matched, but fewer than the coverage threshold: no value is produced.</summary>
    public const string InsufficientCoverage = "insufficient_coverage";

    /// <summary>A matched piece reports a road closure: reported as closed, no delay value (a closure is not a speed).</summary>
    public const string Closed = "closed";

    /// <summary>No piece matched any bin of the section.</summary>
    public const string NoData = "no_data";

    /// <summary>Direction only: at least one of its sections is not <see cref="Ok"/> in this cycle.</summary>
    public const string Incomplete = "incomplete";
}

/// <summary>
/// One section in one cycle (docs/METHODOLOGY.md §3). Times are for the full section length (scaled from the covered bins
/// when coverage ≥ threshold); all nullable values are null unless <see cref="State"/> is <c>ok</c>.
/// </summary>
/// <param name="DelaySeconds">Delay per vehicle: max(0, T_obs − T_ff).</param>
/// <param name="SpeedKmh">Space-mean speed over the section: length / T_obs.</param>
/// <param name="Congested">Delay / free-flow time above the congestion threshold; false when there is no value.</param>
public sealed record SectionObservation(
    string SectionId,
    string Direction,
    string From,
    string To,
    double LengthMeters,
    string State,
    double Coverage,
    double CoveredLengthMeters,
    double? TravelTimeSeconds,
    double? FreeFlowTimeSeconds,
    double? DelaySeconds,
    double? SpeedKmh,
    double? FreeFlowSpeedKmh,
    bool Congested,
    IReadOnlyList<string> SourcePieceIds,
    DateTimeOffset ObservedAtUtc)
{
    public bool HasValue => State == ObservationState.Ok;
}

/// <summary>
/// A direction's corridor totals in one cycle: the sums over its sections, present only when every one of its
/// sections is <c>ok</c> in the same cycle (never a sum of parts from different moments).
/// </summary>
/// <param name="Reason">Why there is no total (which sections are missing and in what state); null when ok.</param>
public sealed record DirectionObservation(
    string Direction,
    string State,
    string? Reason,
    IReadOnlyList<string> SectionIds,
    double LengthMeters,
    double? TravelTimeSeconds,
    double? FreeFlowTimeSeconds,
    double? DelaySeconds,
    double? SpeedKmh,
    double? FreeFlowSpeedKmh,
    bool Congested,
    DateTimeOffset ObservedAtUtc)
{
    public bool HasValue => State == ObservationState.Ok;
}

/// <summary>Everything one collection cycle yields, with the versions that produced it.</summary>
public sealed record CycleImpact(
    string MethodologyVersion,
    string ConstantsVersion,
    DateTimeOffset ObservedAtUtc,
    IReadOnlyList<SectionObservation> Sections,
    IReadOnlyList<DirectionObservation> Directions,
    IReadOnlyList<Corridor.PieceMatch> Pieces,
    int DroppedLowConfidence,
    int DuplicatePieces)
{
    public SectionObservation Section(string sectionId) => Sections.First(s => s.SectionId == sectionId);
    public DirectionObservation Direction(string direction) => Directions.First(d => d.Direction == direction);
}
