namespace Ayalon.Core.Corridor;

/// <summary>Spherical-earth geometry. A corridor is tens of km at most, so a sphere is accurate to ~0.3%.</summary>
public static class Geo
{
    public const double EarthRadiusMeters = 6_371_008.8; // IUGG mean radius

    public static double HaversineMeters(GeoPoint a, GeoPoint b)
    {
        var lat1 = ToRadians(a.LatitudeDeg);
        var lat2 = ToRadians(b.LatitudeDeg);
        var dLat = lat2 - lat1;
        var dLon = ToRadians(b.LongitudeDeg - a.LongitudeDeg);
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) +
                Math.Cos(lat1) * Math.Cos(lat2) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    /// <summary>Initial bearing from a to b, degrees clockwise from north in [0, 360).</summary>
    public static double BearingDeg(GeoPoint a, GeoPoint b)
    {
        var lat1 = ToRadians(a.LatitudeDeg);
        var lat2 = ToRadians(b.LatitudeDeg);
        var dLon = ToRadians(b.LongitudeDeg - a.LongitudeDeg);
        var y = Math.Sin(dLon) * Math.Cos(lat2);
        var x = Math.Cos(lat1) * Math.Sin(lat2) - Math.Sin(lat1) * Math.Cos(lat2) * Math.Cos(dLon);
        return NormalizeDeg(ToDegrees(Math.Atan2(y, x)));
    }

    public static double PolylineLengthMeters(IReadOnlyList<GeoPoint> points)
    {
        var total = 0.0;
        for (var i = 1; i < points.Count; i++)
        {
            total += HaversineMeters(points[i - 1], points[i]);
        }
        return total;
    }

    /// <summary>The point at a given distance along a polyline (clamped to its ends).</summary>
    public static GeoPoint PointAlong(IReadOnlyList<GeoPoint> points, double distanceMeters)
    {
        if (points.Count == 0) throw new ArgumentException("A polyline needs at least one point.", nameof(points));
        if (distanceMeters <= 0) return points[0];
        var walked = 0.0;
        for (var i = 1; i < points.Count; i++)
        {
            var step = HaversineMeters(points[i - 1], points[i]);
            if (walked + step >= distanceMeters && step > 0)
            {
                var f = (distanceMeters - walked) / step;
                return new GeoPoint(
                    points[i - 1].LatitudeDeg + f * (points[i].LatitudeDeg - points[i - 1].LatitudeDeg),
                    points[i - 1].LongitudeDeg + f * (points[i].LongitudeDeg - points[i - 1].LongitudeDeg));
            }
            walked += step;
        }
        return points[^1];
    }

    /// <summary>Smallest absolute difference between two bearings, in [0, 180].</summary>
    public static double BearingDifferenceDeg(double a, double b)
    {
        var d = Math.Abs(NormalizeDeg(a) - NormalizeDeg(b));
        return d > 180 ? 360 - d : d;
    }

    public static double NormalizeDeg(double deg)
    {
        var r = deg % 360.0;
        return r < 0 ? r + 360.0 : r;
    }

    public static double ToRadians(double deg) => deg * Math.PI / 180.0;
    public static double ToDegrees(double rad) => rad * 180.0 / Math.PI;
}
