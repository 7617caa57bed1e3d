namespace Ayalon.Core.ReadModels;

public sealed record ImpactResponse(
    DateTimeOffset GeneratedAtUtc,
    string MethodologyVersion,
    string ConstantsVersion,
    DateTimeOffset NextCycleUtc,
    string DataStatus,
    IReadOnlyList<DirectionNow> Directions,
    IReadOnlyList<SectionNow> Sections,
    TodayImpact Today,
    ImpactSources Sources,
    ImpactProvenance Provenance,
    string DisplayTimeZone);

/// <summary>A direction's corridor now: sums of its sections, only when all are current and from the same cycle.</summary>
public sealed record DirectionNow(
    string Direction,
    string From,
    string To,
    double LengthMeters,
    string State,
    string? Reason,
    DateTimeOffset? ObservedAtUtc,
    double? TravelTimeSeconds,
    double? FreeFlowTimeSeconds,
    double? DelaySeconds,
    double? SpeedKmh,
    bool Congested,
    UsualDelay Usual,
    string CongestionClass);

public sealed record SectionNow(
    string SectionId,
    string Direction,
    string From,
    string To,
    double LengthMeters,
    string State,
    DateTimeOffset? ObservedAtUtc,
    double? AgeSeconds,
    double? TravelTimeSeconds,
    double? FreeFlowTimeSeconds,
    double? DelaySeconds,
    double? SpeedKmh,
    double? FreeFlowSpeedKmh,
    double Coverage,
    bool Congested,
    UsualDelay Usual,
    string CongestionClass);

public sealed record TodayImpact(
    string LocalDate,
    string TimeZone,
    DateTimeOffset FromUtc,
    DateTimeOffset ToUtc,
    double ObservedSeconds,
    double Coverage,
    IReadOnlyList<TodayDirection> ByDirection,
    TodayPhysicalImpact Impact);

public sealed record TodayDirection(
    string Direction,
    double ObservedSeconds,
    double Coverage,
    double? MeanDelaySeconds,
    double? MaxDelaySeconds,
    double? CongestedSeconds,
    double? VehicleHours);

public sealed record TodayPhysicalImpact(
    bool Available,
    string? UnavailableReason,
    double? VehicleHours,
    double? FuelLitres,
    double? Co2Kg,
    double? FuelCostIls,
    string? FuelCostUnavailableReason,
    double? TimeValueIls,
    string? VolumeSource,
    bool VolumeIsSynthetic,
    string? Label);

public sealed record ImpactSources(
    TrafficSource Traffic,
    FuelPriceSource? FuelPrice,
    VolumeProfileSource? VolumeProfile,
    string Geometry);

public sealed record TrafficSource(
    string Provider,
    string? Status,
    string Message,
    DateTimeOffset? LastFetchUtc,
    string? LastCycleId,
    string? LastCycleStatus);

/// <summary>
/// The fuel price applied to today's hours: <c>Month</c> is the price's own month, <c>ForMonth</c> today's local month;
/// when they differ (the table has no entry yet) <c>Note</c> is "price of &lt;month&gt;". Origin: table | setting.
/// </summary>
public sealed record FuelPriceSource(double IlsPerLitre, string Source, string Month, string ForMonth, string Origin, bool Secondary, string? Note);

public sealed record VolumeProfileSource(string Source, string Citation, bool Synthetic);

public sealed record ImpactProvenance(
    string Provider,
    IReadOnlyList<string> TrackingIds,
    string? LastCycleId,
    DateTimeOffset? NewestObservationUtc);

/// <summary>GET /api/corridor: the watched road's static description (geometry © OpenStreetMap contributors, ODbL).</summary>
public sealed record CorridorResponse(string Name, string License, string Attribution, IReadOnlyList<CorridorSectionInfo> Sections);

public sealed record CorridorSectionInfo(
    string SectionId,
    string Direction,
    string From,
    string To,
    double LengthMeters,
    double MeanBearingDeg,
    IReadOnlyList<double[]> Geometry);
