using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.Core.Traffic;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class LiveAnswerTests
{
    public static TheoryData<string> Sections => new(SectionIds);

    [Fact]
    public async Task Live_answer_has_TomToms_shape_and_parses_with_the_apps_parser()
    {
        await using var sim = await StartAsync();
        using var response = await sim.GetFlowAsync(Midpoint("ayalon_n_laguardia_arlozorov"));

        var (status, body, json) = await ReadAsync(response);
        Assert.Equal(200, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(Guid.TryParse(TrackingId(response), out _), "Tracking-ID header should be a generated GUID");

        var f = json.GetProperty("flowSegmentData");
        Assert.Equal(
            ["frc", "currentSpeed", "freeFlowSpeed", "currentTravelTime", "freeFlowTravelTime", "confidence", "roadClosure", "coordinates", "@version"],
            f.EnumerateObject().Select(p => p.Name).ToArray());
        // TomTom sends speeds and travel times as integers.
        foreach (var name in new[] { "currentSpeed", "freeFlowSpeed", "currentTravelTime", "freeFlowTravelTime" })
        {
            Assert.True(f.GetProperty(name).TryGetInt32(out _), $"{name} should be an integer: {f.GetProperty(name).GetRawText()}");
        }

        var parsed = TomTomFlowParser.Parse(body, TrackingId(response));
        Assert.True(parsed.IsOk, parsed.Error);
        var piece = parsed.Piece!;
        Assert.Contains(piece.FunctionalRoadClass, new[] { "FRC0", "FRC1" });
        Assert.InRange(piece.FreeFlowSpeedKmh, 90, 100);
        Assert.InRange(piece.CurrentSpeedKmh, 1, piece.FreeFlowSpeedKmh);
        Assert.InRange(piece.Confidence, 0.95, 1.0);
        Assert.False(piece.RoadClosure);
        Assert.Equal("4", piece.ProviderVersion);
    }

    [Theory]
    [MemberData(nameof(TravelTimeCases))]
    public async Task Travel_times_are_the_polylines_own_length_over_the_speeds(string sectionId, DateTimeOffset nowUtc)
    {
        await using var sim = await StartAsync(nowUtc: nowUtc);
        using var response = await sim.GetFlowAsync(Midpoint(sectionId));
        var piece = TomTomFlowParser.Parse(await response.Content.ReadAsStringAsync()).Piece!;

        var lengthMeters = Geo.PolylineLengthMeters(piece.Coordinates);
        // ±1 s: TomTom rounds to whole seconds.
        Assert.InRange(piece.CurrentTravelTimeSeconds, lengthMeters / (piece.CurrentSpeedKmh / 3.6) - 1, lengthMeters / (piece.CurrentSpeedKmh / 3.6) + 1);
        Assert.InRange(piece.FreeFlowTravelTimeSeconds, lengthMeters / (piece.FreeFlowSpeedKmh / 3.6) - 1, lengthMeters / (piece.FreeFlowSpeedKmh / 3.6) + 1);
    }

    public static TheoryData<string, DateTimeOffset> TravelTimeCases()
    {
        var data = new TheoryData<string, DateTimeOffset>();
        foreach (var id in SectionIds)
        {
            data.Add(id, WeekdayNightUtc);
            data.Add(id, WeekdayMorningPeakUtc);
            data.Add(id, WeekdayEveningPeakUtc);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public async Task Polyline_is_the_whole_carriageway_of_the_nearest_sections_direction(string sectionId)
    {
        var section = Corridor.Find(sectionId)!;
        var direction = Corridor.InDirection(section.Direction);
        await using var sim = await StartAsync();

        using var response = await sim.GetFlowAsync(section.Midpoint);
        var points = TomTomFlowParser.Parse(await response.Content.ReadAsStringAsync()).Piece!.Coordinates;

        // Several km: the three sections of this direction joined (~6.4 km).
        var lengthMeters = Geo.PolylineLengthMeters(points);
        Assert.InRange(lengthMeters, 5_000, 8_000);
        Assert.InRange(lengthMeters, 0.98 * direction.Sum(s => s.LengthMeters), 1.02 * direction.Sum(s => s.LengthMeters));

        // Every section of the direction lies on the polyline, so one request covers all three.
        foreach (var s in direction)
        {
            foreach (var p in s.Geometry)
            {
                Assert.True(points.Min(q => Geo.HaversineMeters(p, q)) < 1.0, $"{s.Id} point {p} is not on the answer's polyline");
            }
        }

        // It runs the section's way: its start comes before its end along the polyline, on the section's bearing.
        var startIndex = IndexNearest(points, section.Geometry[0]);
        var endIndex = IndexNearest(points, section.Geometry[^1]);
        Assert.True(startIndex < endIndex, $"polyline runs against {sectionId}: start at #{startIndex}, end at #{endIndex}");
        Assert.InRange(Geo.BearingDifferenceDeg(Geo.BearingDeg(points[startIndex], points[endIndex]), section.MeanBearingDeg), 0, 35);
        Assert.InRange(Geo.BearingDifferenceDeg(Geo.BearingDeg(points[0], points[^1]), section.MeanBearingDeg), 0, 45);
    }

    [Fact]
    public async Task Opposite_carriageways_answer_with_different_polylines()
    {
        await using var sim = await StartAsync();
        using var north = await sim.GetFlowAsync(Midpoint("ayalon_n_laguardia_arlozorov"));
        using var south = await sim.GetFlowAsync(Midpoint("ayalon_s_arlozorov_laguardia"));
        var northPoints = TomTomFlowParser.Parse(await north.Content.ReadAsStringAsync()).Piece!.Coordinates;
        var southPoints = TomTomFlowParser.Parse(await south.Content.ReadAsStringAsync()).Piece!.Coordinates;

        Assert.Equal(Corridor.InDirection("northbound")[0].Geometry[0], northPoints[0]);
        Assert.Equal(Corridor.InDirection("southbound")[0].Geometry[0], southPoints[0]);
        Assert.InRange(Geo.BearingDifferenceDeg(Geo.BearingDeg(northPoints[0], northPoints[^1]), Geo.BearingDeg(southPoints[0], southPoints[^1])), 150, 180);
    }

    [Fact]
    public async Task A_valid_Tracking_ID_request_header_is_echoed_like_TomTom()
    {
        await using var sim = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, FlowPath(Midpoint("ayalon_n_arlozorov_rokach")));
        request.Headers.Add("Tracking-ID", "abc-123-def");

        using var response = await sim.Http.SendAsync(request);

        Assert.Equal("abc-123-def", TrackingId(response));
    }

    [Fact]
    public async Task Unit_MPH_gives_speeds_in_mph_with_consistent_travel_times()
    {
        await using var sim = await StartAsync();
        var point = Midpoint("ayalon_n_arlozorov_rokach");
        using var kmh = await sim.GetFlowAsync(point);
        using var mph = await sim.GetFlowAsync(point, unit: "MPH");
        var k = TomTomFlowParser.Parse(await kmh.Content.ReadAsStringAsync()).Piece!;
        var m = TomTomFlowParser.Parse(await mph.Content.ReadAsStringAsync()).Piece!;

        Assert.Equal(Math.Round(k.FreeFlowSpeedKmh / 1.609344), m.FreeFlowSpeedKmh);
        Assert.Equal(Math.Round(k.CurrentSpeedKmh / 1.609344), m.CurrentSpeedKmh);
        var lengthMeters = Geo.PolylineLengthMeters(m.Coordinates);
        Assert.InRange(m.FreeFlowTravelTimeSeconds, lengthMeters / (m.FreeFlowSpeedKmh * 0.44704) - 1, lengthMeters / (m.FreeFlowSpeedKmh * 0.44704) + 1);
    }

    [Theory]
    [InlineData("absolute", "23", "32.07,34.79", "KMPH", "zoom")]
    [InlineData("absolute", "ten", "32.07,34.79", "KMPH", "zoom")]
    [InlineData("sideways", "10", "32.07,34.79", "KMPH", "style")]
    [InlineData("absolute", "10", "32.07", "KMPH", "point")]
    [InlineData("absolute", "10", "north,east", "KMPH", "point")]
    [InlineData("absolute", "10", "95,34.79", "KMPH", "point")]
    [InlineData("absolute", "10", "32.07,34.79", "kph", "unit")]
    public async Task Invalid_parameters_get_TomToms_400_invalid_request(string style, string zoom, string point, string unit, string mentioned)
    {
        await using var sim = await StartAsync();
        using var response = await sim.Http.GetAsync(
            $"traffic/services/4/flowSegmentData/{style}/{zoom}/json?point={point}&unit={unit}&key={Key}");

        var (status, _, json) = await ReadAsync(response);
        Assert.Equal(400, status);
        Assert.Equal("INVALID_REQUEST", json.GetProperty("detailedError").GetProperty("code").GetString());
        Assert.Contains(mentioned, json.GetProperty("detailedError").GetProperty("message").GetString());
        Assert.NotEqual(Ayalon.DevHost.Simulator.TomTomBodies.NoCoverageMessage, json.GetProperty("error").GetString());
    }

    private static int IndexNearest(IReadOnlyList<GeoPoint> points, GeoPoint target)
    {
        var best = 0;
        for (var i = 1; i < points.Count; i++)
        {
            if (Geo.HaversineMeters(points[i], target) < Geo.HaversineMeters(points[best], target)) best = i;
        }
        return best;
    }
}
