namespace Ayalon.Core.Corridor;

/// <summary>
/// Local equirectangular projection around an origin: metres east (X) and north (Y). Over a corridor of tens of
/// km the distortion is well under 0.1%, far below the 20 m matching tolerance, and it turns every distance and
/// bearing test into cheap planar arithmetic (the matcher runs thousands of them per cycle).
/// </summary>
public readonly record struct LocalProjection
{
    private readonly double _metersPerDegLat;
    private readonly double _metersPerDegLon;

    public LocalProjection(GeoPoint origin)
    {
        Origin = origin;
        _metersPerDegLat = Geo.ToRadians(1) * Geo.EarthRadiusMeters;
        _metersPerDegLon = _metersPerDegLat * Math.Cos(Geo.ToRadians(origin.LatitudeDeg));
    }

    public GeoPoint Origin { get; }

    /// <summary>A projection centred on the middle of the points' bounding box.</summary>
    public static LocalProjection Around(IEnumerable<GeoPoint> points)
    {
        double minLat = double.MaxValue, maxLat = double.MinValue, minLon = double.MaxValue, maxLon = double.MinValue;
        var any = false;
        foreach (var p in points)
        {
            any = true;
            minLat = Math.Min(minLat, p.LatitudeDeg);
            maxLat = Math.Max(maxLat, p.LatitudeDeg);
            minLon = Math.Min(minLon, p.LongitudeDeg);
            maxLon = Math.Max(maxLon, p.LongitudeDeg);
        }
        if (!any) throw new ArgumentException("A projection needs at least one point.", nameof(points));
        return new LocalProjection(new GeoPoint((minLat + maxLat) / 2, (minLon + maxLon) / 2));
    }

    public double XMeters(GeoPoint p) => (p.LongitudeDeg - Origin.LongitudeDeg) * _metersPerDegLon;

    public double YMeters(GeoPoint p) => (p.LatitudeDeg - Origin.LatitudeDeg) * _metersPerDegLat;

    public GeoPoint Unproject(double xMeters, double yMeters) =>
        new(Origin.LatitudeDeg + yMeters / _metersPerDegLat, Origin.LongitudeDeg + xMeters / _metersPerDegLon);

    /// <summary>Bearing of the planar vector (dx east, dy north), degrees clockwise from north in [0, 360).</summary>
    public static double PlanarBearingDeg(double dxMeters, double dyMeters) =>
        Geo.NormalizeDeg(Geo.ToDegrees(Math.Atan2(dxMeters, dyMeters)));

    /// <summary>Distance from point p to segment ab, all in projected metres.</summary>
    public static double PointSegmentDistanceMeters(double px, double py, double ax, double ay, double bx, double by)
    {
        var dx = bx - ax;
        var dy = by - ay;
        var len2 = dx * dx + dy * dy;
        var t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
        t = Math.Clamp(t, 0, 1);
        var ex = ax + t * dx - px;
        var ey = ay + t * dy - py;
        return Math.Sqrt(ex * ex + ey * ey);
    }
}
