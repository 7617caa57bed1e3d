using Ayalon.Core.Corridor;

namespace Ayalon.DevHost.Simulator;

/// <summary>One direction of the corridor as one polyline: its sections' geometries joined in travel order.</summary>
public sealed record Carriageway(string Direction, IReadOnlyList<GeoPoint> Points, double LengthMeters);

/// <summary>Finds the corridor carriageway nearest a requested point, as TomTom snaps a point to its nearest road.</summary>
public sealed class CarriagewayIndex
{
    private readonly CorridorDefinition _corridor;
    private readonly Dictionary<string, Carriageway> _byDirection;

    public CarriagewayIndex(CorridorDefinition corridor)
    {
        _corridor = corridor;
        _byDirection = corridor.Directions.ToDictionary(d => d, d => Join(d, corridor.InDirection(d)), StringComparer.Ordinal);
    }

    public IReadOnlyCollection<Carriageway> Carriageways => _byDirection.Values;

    public Carriageway InDirection(string direction) => _byDirection[direction];

    /// <summary>The nearest section and its distance from the point (to the polyline, not just its vertices).</summary>
    public (CorridorSection Section, double DistanceMeters) Nearest(GeoPoint point)
    {
        CorridorSection? best = null;
        var bestDistance = double.PositiveInfinity;
        foreach (var section in _corridor.Sections)
        {
            var d = DistanceToPolylineMeters(point, section.Geometry);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = section;
            }
        }
        return (best!, bestDistance);
    }

    /// <summary>
    /// Distance from a point to a polyline on a local equirectangular plane around the point: exact enough at the
    /// kilometre scale this is used for (the coverage radius), and it handles long segments between vertices.
    /// </summary>
    public static double DistanceToPolylineMeters(GeoPoint point, IReadOnlyList<GeoPoint> line)
    {
        var metersPerDegLat = Geo.EarthRadiusMeters * Math.PI / 180.0;
        var metersPerDegLon = metersPerDegLat * Math.Cos(Geo.ToRadians(point.LatitudeDeg));
        (double X, double Y) Project(GeoPoint p) =>
            ((p.LongitudeDeg - point.LongitudeDeg) * metersPerDegLon, (p.LatitudeDeg - point.LatitudeDeg) * metersPerDegLat);

        var best = double.PositiveInfinity;
        var a = Project(line[0]);
        best = Math.Min(best, Math.Sqrt(a.X * a.X + a.Y * a.Y));
        for (var i = 1; i < line.Count; i++)
        {
            var b = Project(line[i]);
            var dx = b.X - a.X;
            var dy = b.Y - a.Y;
            var lengthSquared = dx * dx + dy * dy;
            var t = lengthSquared > 0 ? Math.Clamp(-(a.X * dx + a.Y * dy) / lengthSquared, 0, 1) : 0;
            var cx = a.X + t * dx;
            var cy = a.Y + t * dy;
            best = Math.Min(best, Math.Sqrt(cx * cx + cy * cy));
            a = b;
        }
        return best;
    }

    private static Carriageway Join(string direction, IReadOnlyList<CorridorSection> sections)
    {
        var points = new List<GeoPoint>();
        foreach (var section in sections)
        {
            foreach (var p in section.Geometry)
            {
                // Consecutive sections share their junction point; a zero-length step would add nothing.
                if (points.Count > 0 && Geo.HaversineMeters(points[^1], p) < 0.01) continue;
                points.Add(p);
            }
        }
        return new Carriageway(direction, points, Geo.PolylineLengthMeters(points));
    }
}
