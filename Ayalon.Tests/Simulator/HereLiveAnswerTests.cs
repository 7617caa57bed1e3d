using System.Globalization;
using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.Core.Traffic;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class HereLiveAnswerTests
{
    private const double LimitMps = 90 / 3.6;

    private static IEnumerable<JsonElement> Items(JsonElement body) =>
        body.GetProperty("results").EnumerateArray().SelectMany(r =>
            new[] { r.GetProperty("currentFlow") }.Concat(r.GetProperty("currentFlow").GetProperty("subSegments").EnumerateArray()));

    private static List<GeoPoint> Polyline(JsonElement result)
    {
        var points = new List<GeoPoint>();
        foreach (var link in result.GetProperty("location").GetProperty("shape").GetProperty("links").EnumerateArray())
        {
            foreach (var p in link.GetProperty("points").EnumerateArray())
            {
                var point = new GeoPoint(p.GetProperty("lat").GetDouble(), p.GetProperty("lng").GetDouble());
                if (points.Count == 0 || points[^1] != point) points.Add(point);
            }
        }
        return points;
    }

    [Fact]
    public async Task Answer_has_HEREs_documented_shape_with_shared_link_joints_and_subSegments_summing_to_the_length()
    {
        await using var sim = await StartHereAsync();
        using var response = await sim.GetHereFlowAsync();

        var (status, _, json) = await ReadAsync(response);
        Assert.Equal(200, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["sourceUpdated", "results"], json.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("2026-09-15T05:30:00Z", json.GetProperty("sourceUpdated").GetString());
        var results = json.GetProperty("results").EnumerateArray().ToList();
        Assert.InRange(results.Count, 6, 12); // both carriageways, several results each

        foreach (var result in results)
        {
            var location = result.GetProperty("location");
            Assert.False(string.IsNullOrWhiteSpace(location.GetProperty("description").GetString()));
            var lengthMeters = location.GetProperty("length").GetDouble();
            var links = location.GetProperty("shape").GetProperty("links").EnumerateArray().ToList();
            Assert.True(links.Count >= 2, "a result has several links");
            for (var i = 0; i < links.Count; i++)
            {
                var points = links[i].GetProperty("points").EnumerateArray().ToList();
                Assert.True(points.Count >= 2);
                Assert.Equal(1, links[i].GetProperty("functionalClass").GetInt32());
                var measured = Geo.PolylineLengthMeters(points.Select(p => new GeoPoint(p.GetProperty("lat").GetDouble(), p.GetProperty("lng").GetDouble())).ToList());
                Assert.InRange(links[i].GetProperty("length").GetDouble(), measured - 0.1, measured + 0.1);
                if (i > 0)
                {
                    // Consecutive links share their joint point, exactly.
                    Assert.Equal(links[i - 1].GetProperty("points").EnumerateArray().Last().GetRawText(), points[0].GetRawText());
                }
            }
            Assert.InRange(Geo.PolylineLengthMeters(Polyline(result)), lengthMeters - 0.5, lengthMeters + 0.5);

            var flow = result.GetProperty("currentFlow");
            Assert.Equal(
                ["speed", "speedUncapped", "freeFlow", "jamFactor", "confidence", "traversability", "subSegments"],
                flow.EnumerateObject().Select(p => p.Name).ToArray());
            var subSegments = flow.GetProperty("subSegments").EnumerateArray().ToList();
            Assert.InRange(subSegments.Count, 2, 3);
            Assert.InRange(subSegments.Sum(s => s.GetProperty("length").GetDouble()), lengthMeters - 0.5, lengthMeters + 0.5);
            foreach (var s in subSegments)
            {
                Assert.Equal(
                    ["length", "speed", "speedUncapped", "freeFlow", "jamFactor", "confidence", "traversability"],
                    s.EnumerateObject().Select(p => p.Name).ToArray());
            }
        }

        foreach (var item in Items(json))
        {
            Assert.Equal("open", item.GetProperty("traversability").GetString());
            Assert.Equal(0.97, item.GetProperty("confidence").GetDouble()); // HERE's real-time band (0.7, 1.0]
            // Metres per second: free flow 90–100 km/h is 25–27.8 m/s.
            var freeFlow = item.GetProperty("freeFlow").GetDouble();
            Assert.InRange(freeFlow, 90 / 3.6 - 1e-6, 100 / 3.6 + 1e-6);
            var uncapped = item.GetProperty("speedUncapped").GetDouble();
            Assert.InRange(uncapped, 0.5, freeFlow + 1e-6);
            Assert.Equal(Math.Min(uncapped, LimitMps), item.GetProperty("speed").GetDouble(), 5);
            Assert.InRange(item.GetProperty("jamFactor").GetDouble(), 0, 10);
        }
    }

    [Fact]
    public async Task Both_carriageways_are_answered_and_every_corridor_point_lies_on_a_result()
    {
        await using var sim = await StartHereAsync();
        using var response = await sim.GetHereFlowAsync();
        var (_, _, json) = await ReadAsync(response);
        var polylines = json.GetProperty("results").EnumerateArray().Select(Polyline).ToList();

        foreach (var section in Corridor.Sections)
        {
            foreach (var p in section.Geometry)
            {
                Assert.True(polylines.Any(line => line.Any(q => Geo.HaversineMeters(p, q) < 0.05)), $"{section.Id} point {p} is on no result");
            }
        }
        // Results run the carriageway's way: a northbound one heads north, a southbound one south.
        var bearings = polylines.Select(l => Geo.BearingDeg(l[0], l[^1])).ToList();
        Assert.Contains(bearings, b => b < 60 || b > 300);
        Assert.Contains(bearings, b => b is > 120 and < 240);
    }

    [Fact]
    public async Task At_night_the_capped_speed_sits_at_the_limit_below_uncapped_free_flow()
    {
        await using var sim = await StartHereAsync(nowUtc: WeekdayNightUtc);
        using var response = await sim.GetHereFlowAsync();
        var (_, _, json) = await ReadAsync(response);

        var items = Items(json).ToList();
        foreach (var item in items)
        {
            var freeFlow = item.GetProperty("freeFlow").GetDouble();
            Assert.Equal(freeFlow, item.GetProperty("speedUncapped").GetDouble(), 6);
            Assert.InRange(item.GetProperty("speed").GetDouble(), 0, LimitMps);
            Assert.True(LimitMps <= freeFlow + 1e-9, "free flow is never below the legal limit on this corridor");
            Assert.Equal(0, item.GetProperty("jamFactor").GetDouble());
        }
        // The trap: at free flow, a client reading `speed` would see a delay that does not exist.
        Assert.Contains(items, i => i.GetProperty("speed").GetDouble() < i.GetProperty("freeFlow").GetDouble() - 0.1);
    }

    [Theory]
    [MemberData(nameof(Moments))]
    public async Task Each_carriageway_carries_the_same_traffic_as_the_TomTom_surface(DateTimeOffset nowUtc)
    {
        await using var sim = await StartHereAsync(nowUtc: nowUtc);
        using var hereResponse = await sim.GetHereFlowAsync();
        var (_, _, here) = await ReadAsync(hereResponse);
        var results = here.GetProperty("results").EnumerateArray().ToList();

        foreach (var direction in Corridor.Directions)
        {
            using var tomtomResponse = await sim.GetFlowAsync(Corridor.InDirection(direction)[0].Midpoint);
            var tomtom = TomTomFlowParser.Parse(await tomtomResponse.Content.ReadAsStringAsync()).Piece!;
            // This carriageway's results: their description names the direction.
            var mine = results.Where(r => r.GetProperty("location").GetProperty("description").GetString()!.Contains(direction, StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(mine);
            var subSegments = mine.SelectMany(r => r.GetProperty("currentFlow").GetProperty("subSegments").EnumerateArray()).ToList();
            var seconds = subSegments.Sum(s => s.GetProperty("length").GetDouble() / s.GetProperty("speedUncapped").GetDouble());
            var freeFlowSeconds = subSegments.Sum(s => s.GetProperty("length").GetDouble() / s.GetProperty("freeFlow").GetDouble());

            // TomTom rounds its times to whole seconds and its polyline is the same carriageway.
            Assert.InRange(seconds, tomtom.CurrentTravelTimeSeconds - 1.5, tomtom.CurrentTravelTimeSeconds + 1.5);
            Assert.InRange(freeFlowSeconds, tomtom.FreeFlowTravelTimeSeconds - 1.5, tomtom.FreeFlowTravelTimeSeconds + 1.5);
            Assert.All(subSegments, s => Assert.Equal(tomtom.FreeFlowSpeedKmh, s.GetProperty("freeFlow").GetDouble() * 3.6, 3));
        }
    }

    public static TheoryData<DateTimeOffset> Moments() => new(WeekdayNightUtc, WeekdayMorningPeakUtc, WeekdayEveningPeakUtc);

    [Fact]
    public async Task In_a_peak_the_delay_is_spread_unevenly_over_the_subSegments()
    {
        await using var sim = await StartHereAsync();
        using var response = await sim.GetHereFlowAsync();
        var (_, _, json) = await ReadAsync(response);

        var speeds = json.GetProperty("results").EnumerateArray()
            .SelectMany(r => r.GetProperty("currentFlow").GetProperty("subSegments").EnumerateArray())
            .Select(s => s.GetProperty("speedUncapped").GetDouble()).ToList();
        Assert.True(speeds.Distinct().Count() > speeds.Count / 2, "subSegments should not all share one speed");
        Assert.Contains(speeds, s => s < 70 / 3.6);
    }

    [Fact]
    public async Task Same_seed_and_time_give_the_same_bytes_and_another_seed_other_traffic()
    {
        await using var a = await StartHereAsync();
        await using var b = await StartHereAsync();
        await using var other = await StartHereAsync(o => o.Seed = 21);

        var first = await (await a.GetHereFlowAsync()).Content.ReadAsByteArrayAsync();
        var second = await (await b.GetHereFlowAsync()).Content.ReadAsByteArrayAsync();
        a.Clock.Advance(TimeSpan.FromMinutes(2)); // same 5-minute step
        var sameStep = await (await a.GetHereFlowAsync()).Content.ReadAsByteArrayAsync();
        a.Clock.Advance(TimeSpan.FromMinutes(5));
        var nextStep = await (await a.GetHereFlowAsync()).Content.ReadAsByteArrayAsync();
        var otherSeed = await (await other.GetHereFlowAsync()).Content.ReadAsByteArrayAsync();

        Assert.Equal(first, second);
        Assert.Equal(first, sameStep);
        Assert.NotEqual(first, nextStep);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public async Task Only_results_whose_extent_meets_the_bbox_are_returned()
    {
        await using var sim = await StartHereAsync();
        var all = (await ReadAsync(await sim.GetHereFlowAsync())).Json.GetProperty("results").GetArrayLength();

        // A small box around the northern end of the corridor (Rokach).
        var north = Corridor.InDirection("northbound")[^1].Geometry[^1];
        var bbox = string.Create(CultureInfo.InvariantCulture,
            $"{north.LongitudeDeg - 0.002:0.######},{north.LatitudeDeg - 0.002:0.######},{north.LongitudeDeg + 0.002:0.######},{north.LatitudeDeg + 0.002:0.######}");
        var (status, _, json) = await ReadAsync(await sim.GetHereFlowAsync(bbox));

        Assert.Equal(200, status);
        var some = json.GetProperty("results").EnumerateArray().ToList();
        Assert.InRange(some.Count, 1, all - 1);
        foreach (var r in some)
        {
            var points = Polyline(r);
            Assert.True(points.Min(p => p.LongitudeDeg) <= north.LongitudeDeg + 0.002 && points.Max(p => p.LongitudeDeg) >= north.LongitudeDeg - 0.002);
            Assert.True(points.Min(p => p.LatitudeDeg) <= north.LatitudeDeg + 0.002 && points.Max(p => p.LatitudeDeg) >= north.LatitudeDeg - 0.002);
        }
    }

    [Theory]
    [InlineData("34.95,32.75,35.05,32.85", "1,2")] // Haifa: no corridor there
    [InlineData("32.03,34.77,32.10,34.82", "1,2")] // latitude first by mistake: lands in the Indian Ocean
    [InlineData(null, "3,4")]                       // the corridor is all functional class 1
    public async Task A_request_that_meets_no_result_gets_HEREs_literal_empty_answer(string? bbox, string functionalClasses)
    {
        await using var sim = await StartHereAsync();

        using var response = await sim.GetHereFlowAsync(bbox, functionalClasses: functionalClasses);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("""{"sourceUpdated":null,"results":[]}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("empty", sim.Simulator.RecentRequests[^1].Outcome);
    }

    [Fact]
    public async Task Without_shape_referencing_the_locations_carry_no_shape()
    {
        await using var sim = await StartHereAsync();

        var (_, _, json) = await ReadAsync(await sim.GetHereFlowAsync(referencing: "none"));

        Assert.All(json.GetProperty("results").EnumerateArray(), r => Assert.False(r.GetProperty("location").TryGetProperty("shape", out _)));
    }

    [Theory]
    [InlineData("v7/flow?locationReferencing=shape", "E605101", "'in'")]
    [InlineData("v7/flow?in=circle:32.07,34.79;r=500&locationReferencing=shape", "E605102", "only bbox")]
    [InlineData("v7/flow?in=34.7,32.0,34.8,32.1&locationReferencing=shape", "E605102", "bbox:")]
    [InlineData("v7/flow?in=bbox:34.7,32.0,34.8&locationReferencing=shape", "E605103", "four numbers")]
    [InlineData("v7/flow?in=bbox:34.0,32.0,35.2,32.1&locationReferencing=shape", "E605103", "at most 1 degree")]
    [InlineData("v7/flow?in=bbox:34.8,32.0,34.7,32.1&locationReferencing=shape", "E605103", "west must be less than east")]
    [InlineData("v7/flow?in=bbox:34.7,91,34.8,92&locationReferencing=shape", "E605103", "latitudes")]
    [InlineData("v7/flow?in=bbox:34.7,32.0,34.8,32.1", "E605104", "'locationReferencing'")]
    [InlineData("v7/flow?in=bbox:34.7,32.0,34.8,32.1&locationReferencing=polyline", "E605105", "'polyline'")]
    [InlineData("v7/flow?in=bbox:34.7,32.0,34.8,32.1&locationReferencing=shape&functionalClasses=1,7", "E605106", "functionalClasses")]
    public async Task Invalid_parameters_get_HEREs_400_service_error_naming_what_is_wrong(string path, string code, string mentioned)
    {
        await using var sim = await StartHereAsync();

        using var response = await sim.Http.GetAsync(path + "&apiKey=" + HereKey);

        var (status, _, json) = await ReadAsync(response);
        Assert.Equal(400, status);
        Assert.Equal(["title", "status", "code", "cause", "action", "correlationId"], json.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(400, json.GetProperty("status").GetInt32());
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.Contains(mentioned, json.GetProperty("cause").GetString());
        Assert.Equal(CorrelationId(response), json.GetProperty("correlationId").GetString());
    }

    [Fact]
    public async Task Every_answer_carries_its_own_correlation_id_and_echoes_X_Request_Id()
    {
        await using var sim = await StartHereAsync();
        using var ok = await sim.GetHereFlowAsync();
        using var unauthorized = await sim.GetHereFlowAsync(apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, HereFlowPath());
        request.Headers.Add("X-Request-Id", "trace-0001");
        using var traced = await sim.Http.SendAsync(request);

        var ids = new[] { ok, unauthorized, traced }.Select(CorrelationId).ToList();
        Assert.All(ids, id => Assert.True(Guid.TryParse(id, out _), $"X-Correlation-Id should be a UUID: {id}"));
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal("trace-0001", traced.Headers.GetValues("X-Request-Id").Single());
        Assert.False(ok.Headers.Contains("Tracking-ID"));
    }
}
