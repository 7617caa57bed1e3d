namespace Ayalon.Core.Corridor;

/// <summary>One directed section of the corridor, between two motorway junctions.</summary>
public sealed record CorridorSection(
    string Id,
    string Road,
    string Carriageway,
    string Direction,
    string From,
    string To,
    double LengthMeters,
    double MeanBearingDeg,
    IReadOnlyList<GeoPoint> Geometry)
{
    /// <summary>The point halfway along the section's own geometry: where the collector asks the provider.</summary>
    public GeoPoint Midpoint => Geo.PointAlong(Geometry, Geo.PolylineLengthMeters(Geometry) / 2);
}

/// <summary>The watched road: its sections in travel order per direction, with the geometry's licence.</summary>
public sealed record CorridorDefinition(
    string Name,
    string License,
    string Attribution,
    IReadOnlyList<CorridorSection> Sections)
{
    public IReadOnlyList<string> Directions =>
        Sections.Select(s => s.Direction).Distinct(StringComparer.Ordinal).ToList();

    public IReadOnlyList<CorridorSection> InDirection(string direction) =>
        Sections.Where(s => s.Direction == direction).ToList();

    public CorridorSection? Find(string sectionId) =>
        Sections.FirstOrDefault(s => s.Id == sectionId);
}
