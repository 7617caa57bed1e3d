namespace Ayalon.Core.Corridor;

/// <summary>A WGS84 position in decimal degrees.</summary>
public readonly record struct GeoPoint(double LatitudeDeg, double LongitudeDeg)
{
    public override string ToString() =>
        FormattableString.Invariant($"{LatitudeDeg:0.######},{LongitudeDeg:0.######}");
}
