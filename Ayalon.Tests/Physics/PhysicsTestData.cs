using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Traffic;

namespace Ayalon.Tests.Physics;

/// <summary>Shared, read-only test inputs: the shipped corridor, constants, and the recorded TomTom answers.</summary>
internal static class PhysicsTestData
{
    public const string NorthHolonLaGuardia = "ayalon_n_holon_laguardia";
    public const string NorthLaGuardiaArlozorov = "ayalon_n_laguardia_arlozorov";
    public const string NorthArlozorovRokach = "ayalon_n_arlozorov_rokach";
    public const string SouthRokachArlozorov = "ayalon_s_rokach_arlozorov";
    public const string SouthArlozorovLaGuardia = "ayalon_s_arlozorov_laguardia";
    public const string SouthLaGuardiaHolon = "ayalon_s_laguardia_holon";

    public static readonly CorridorDefinition Corridor = CorridorLoader.LoadDefault();
    public static readonly ImpactConstants Constants = ImpactConstants.Default;
    public static readonly CorridorMatcher Matcher = new(Corridor, MatchingParameters.From(Constants));
    public static readonly ImpactCalculator Calculator = new(Constants);

    public static string FixturePath(string relative) =>
        Path.Combine(AppContext.BaseDirectory, "fixtures", "tomtom", relative);

    /// <summary>A file under <c>fixtures/here/</c> (written from HERE's documented schema; see its README).</summary>
    public static string HereFixturePath(string relative) =>
        Path.Combine(AppContext.BaseDirectory, "fixtures", "here", relative);

    public static FlowPiece Piece(string set, string probe)
    {
        var result = TomTomFlowParser.Parse(File.ReadAllBytes(FixturePath($"{set}/{probe}.body.json")));
        Assert.True(result.IsOk, result.Error);
        return result.Piece!;
    }

    public static IReadOnlyList<FlowPiece> Set(string set) =>
        new[] { "ha_shalom", "arlozorov", "la_guardia" }.Select(p => Piece(set, p)).ToList();

    /// <summary>
    /// A synthetic piece laid along a section's own geometry: optionally only its first <paramref name="fraction"/>
    /// of points, shifted east, or reversed (the opposite direction of travel).
    /// </summary>
    public static FlowPiece AlongSection(string sectionId, double speedKmh, double freeFlowKmh, double confidence = 1,
        bool reversed = false, bool closure = false, double offsetEastMeters = 0, double fraction = 1)
    {
        var section = Corridor.Find(sectionId)!;
        var take = Math.Max(2, (int)Math.Round(section.Geometry.Count * fraction));
        var points = section.Geometry.Take(take).Select(p => new GeoPoint(p.LatitudeDeg,
            p.LongitudeDeg + offsetEastMeters / (Math.PI / 180 * Geo.EarthRadiusMeters * Math.Cos(Geo.ToRadians(p.LatitudeDeg))))).ToList();
        if (reversed) points.Reverse();
        return Piece(points, speedKmh, freeFlowKmh, confidence, closure);
    }

    public static FlowPiece Piece(IReadOnlyList<GeoPoint> points, double speedKmh, double freeFlowKmh, double confidence = 1, bool closure = false)
    {
        var length = Geo.PolylineLengthMeters(points);
        return new FlowPiece(
            TomTomFlowParser.PieceIdOf(points, speedKmh, freeFlowKmh, closure) + FormattableString.Invariant($"/{confidence}"),
            "test", "FRC0", speedKmh, freeFlowKmh,
            closure ? 0 : length / Units.KmhToMetersPerSecond(speedKmh), length / Units.KmhToMetersPerSecond(freeFlowKmh),
            confidence, closure, points);
    }
}
