using Ayalon.Core.Corridor;

namespace Ayalon.DevHost.Simulator;

/// <summary>A HERE shape link: a run of points; consecutive links of a carriageway share their joint point.</summary>
public sealed record HereLink(IReadOnlyList<GeoPoint> Points, double LengthMeters);

/// <summary>A run of consecutive links of one result that HERE reports as one <c>subSegment</c>.</summary>
public sealed record HereSubSegmentExtent(int FirstLink, int LinkCount, double LengthMeters, int IndexInCarriageway);

/// <summary>An axis-aligned box in degrees (west/south/east/north, HERE's <c>bbox:</c> order).</summary>
public readonly record struct GeoBox(double West, double South, double East, double North)
{
    public bool Intersects(GeoBox other) =>
        !(other.East < West || other.West > East || other.North < South || other.South > North);

    public static GeoBox Around(IEnumerable<GeoPoint> points)
    {
        double w = double.MaxValue, s = double.MaxValue, e = double.MinValue, n = double.MinValue;
        foreach (var p in points)
        {
            w = Math.Min(w, p.LongitudeDeg);
            e = Math.Max(e, p.LongitudeDeg);
            s = Math.Min(s, p.LatitudeDeg);
            n = Math.Max(n, p.LatitudeDeg);
        }
        return new GeoBox(w, s, e, n);
    }

    /// <summary>The box grown by a margin on every side (metres converted at the box's mid latitude).</summary>
    public GeoBox Grow(double marginMeters)
    {
        var dLat = marginMeters / (Geo.EarthRadiusMeters * Math.PI / 180.0);
        var dLon = dLat / Math.Cos(Geo.ToRadians((South + North) / 2));
        return new GeoBox(West - dLon, South - dLat, East + dLon, North + dLat);
    }

    public override string ToString() => FormattableString.Invariant($"{West:0.######},{South:0.######},{East:0.######},{North:0.######}");
}

/// <summary>One <c>/v7/flow</c> result: part of a carriageway, its links and how its subSegments split it.</summary>
public sealed record HereResultShape(
    string Direction,
    string Description,
    IReadOnlyList<HereLink> Links,
    IReadOnlyList<HereSubSegmentExtent> SubSegments,
    double LengthMeters,
    GeoBox Extent);

/// <summary>
/// The corridor's carriageways cut the way HERE reports a road: each carriageway into a few results (~1.6 km) whose
/// ends fall between junctions, not on the corridor's own section boundaries (a client must match by geometry);
/// each result into links of ~350 m; each result's links grouped into two or three subSegments. Fixed per corridor.
/// </summary>
public sealed class HereRoadNetwork
{
    private const double LinkTargetMeters = 350;
    private const double ResultTargetMeters = 1600;

    /// <summary>Interpolated points are rounded to 1e-7° (~1 cm), as HERE sends them; recorded vertices pass as they are.</summary>
    private const int CoordinateDecimals = 7;

    public HereRoadNetwork(CorridorDefinition corridor, CarriagewayIndex carriageways)
    {
        ArgumentNullException.ThrowIfNull(corridor);
        ArgumentNullException.ThrowIfNull(carriageways);
        var results = new List<HereResultShape>();
        foreach (var direction in corridor.Directions)
        {
            var road = carriageways.InDirection(direction);
            results.AddRange(Cut(road, corridor.InDirection(direction)));
        }
        Results = results;
        Extent = GeoBox.Around(results.SelectMany(r => r.Links).SelectMany(l => l.Points));
    }

    /// <summary>Every result, carriageway after carriageway, each in travel order.</summary>
    public IReadOnlyList<HereResultShape> Results { get; }

    /// <summary>The box holding every result (a client's bbox should cover it plus a margin).</summary>
    public GeoBox Extent { get; }

    private static IEnumerable<HereResultShape> Cut(Carriageway road, IReadOnlyList<CorridorSection> sections)
    {
        var cumulative = new double[road.Points.Count];
        for (var i = 1; i < road.Points.Count; i++)
        {
            cumulative[i] = cumulative[i - 1] + Geo.HaversineMeters(road.Points[i - 1], road.Points[i]);
        }
        var total = cumulative[^1];

        var linkCount = Math.Max(2, (int)Math.Ceiling(total / LinkTargetMeters));
        var joints = new GeoPoint[linkCount + 1];
        for (var j = 0; j <= linkCount; j++)
        {
            joints[j] = j == 0 ? road.Points[0] : j == linkCount ? road.Points[^1] : Round(PointAt(road.Points, cumulative, total * j / linkCount));
        }
        var links = new List<HereLink>(linkCount);
        for (var j = 0; j < linkCount; j++)
        {
            var from = total * j / linkCount;
            var to = total * (j + 1) / linkCount;
            var points = new List<GeoPoint> { joints[j] };
            for (var i = 0; i < road.Points.Count; i++)
            {
                if (cumulative[i] > from + 0.01 && cumulative[i] < to - 0.01) points.Add(road.Points[i]);
            }
            points.Add(joints[j + 1]);
            links.Add(new HereLink(points, Geo.PolylineLengthMeters(points)));
        }

        var resultCount = Math.Clamp((int)Math.Round(total / ResultTargetMeters), 2, linkCount);
        var subIndex = 0;
        var walked = 0.0;
        for (var r = 0; r < resultCount; r++)
        {
            var first = linkCount * r / resultCount;
            var last = linkCount * (r + 1) / resultCount;
            var resultLinks = links.GetRange(first, last - first);
            var subCount = Math.Min(resultLinks.Count, resultLinks.Count >= 4 ? 3 : 2);
            var subSegments = new List<HereSubSegmentExtent>(subCount);
            for (var s = 0; s < subCount; s++)
            {
                var subFirst = resultLinks.Count * s / subCount;
                var subLast = resultLinks.Count * (s + 1) / subCount;
                var length = resultLinks.Skip(subFirst).Take(subLast - subFirst).Sum(l => l.LengthMeters);
                subSegments.Add(new HereSubSegmentExtent(subFirst, subLast - subFirst, length, subIndex++));
            }
            var resultLength = resultLinks.Sum(l => l.LengthMeters);
            var section = SectionAt(sections, walked + resultLength / 2);
            walked += resultLength;
            yield return new HereResultShape(
                road.Direction,
                $"{section.Road} {road.Direction}, {section.From} – {section.To}",
                resultLinks,
                subSegments,
                resultLength,
                GeoBox.Around(resultLinks.SelectMany(l => l.Points)));
        }
    }

    private static CorridorSection SectionAt(IReadOnlyList<CorridorSection> sections, double distanceMeters)
    {
        var walked = 0.0;
        foreach (var s in sections)
        {
            walked += s.LengthMeters;
            if (distanceMeters <= walked) return s;
        }
        return sections[^1];
    }

    private static GeoPoint PointAt(IReadOnlyList<GeoPoint> points, double[] cumulative, double distanceMeters)
    {
        for (var i = 1; i < points.Count; i++)
        {
            if (cumulative[i] >= distanceMeters && cumulative[i] > cumulative[i - 1])
            {
                var f = (distanceMeters - cumulative[i - 1]) / (cumulative[i] - cumulative[i - 1]);
                return new GeoPoint(
                    points[i - 1].LatitudeDeg + f * (points[i].LatitudeDeg - points[i - 1].LatitudeDeg),
                    points[i - 1].LongitudeDeg + f * (points[i].LongitudeDeg - points[i - 1].LongitudeDeg));
            }
        }
        return points[^1];
    }

    private static GeoPoint Round(GeoPoint p) =>
        new(Math.Round(p.LatitudeDeg, CoordinateDecimals), Math.Round(p.LongitudeDeg, CoordinateDecimals));
}
