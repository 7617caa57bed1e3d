using Ayalon.Core.Corridor;

namespace Ayalon.Core.Traffic;

/// <summary>
/// One provider flow segment: a polyline with the current and free-flow speed along it. Speeds in km/h as the
/// provider reports them; travel times in seconds over the provider's whole polyline.
/// </summary>
public sealed record FlowPiece(
    string PieceId,
    string Provider,
    string FunctionalRoadClass,
    double CurrentSpeedKmh,
    double FreeFlowSpeedKmh,
    double CurrentTravelTimeSeconds,
    double FreeFlowTravelTimeSeconds,
    double Confidence,
    bool RoadClosure,
    IReadOnlyList<GeoPoint> Coordinates,
    string? TrackingId = null,
    string? ProviderVersion = null);
