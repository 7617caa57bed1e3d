using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.DevHost.Simulator;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class KeyAndCoverageTests
{
    private static readonly GeoPoint Point = Midpoint("ayalon_s_rokach_arlozorov");

    [Theory]
    [InlineData("traffic/services/4/flowSegmentData/absolute/10/json?point=32.0865,34.7987&unit=KMPH&openLr=false")]
    [InlineData("traffic/services/4/flowSegmentData/absolute/10/json?point=32.0865,34.7987&unit=KMPH&openLr=false&key=")]
    [InlineData("traffic/services/4/flowSegmentData/absolute/10/json?point=32.0865,34.7987&unit=KMPH&openLr=false&key=%20%20")]
    [InlineData("traffic/services/4/flowSegmentData/absolute/10/json?key=&point=32.0865,34.7987")]
    public async Task Requests_without_a_key_get_TomToms_403(string pathAndQuery)
    {
        await using var sim = await StartAsync();

        using var response = await sim.Http.GetAsync(pathAndQuery);

        var (status, _, json) = await ReadAsync(response);
        Assert.Equal(403, status);
        Assert.Equal("Forbidden", json.GetProperty("error").GetString());
        Assert.Equal(403, json.GetProperty("httpStatusCode").GetInt32());
        Assert.Equal("FORBIDDEN", json.GetProperty("detailedError").GetProperty("code").GetString());
        Assert.Equal("forbidden:no_key", sim.Simulator.RecentRequests[^1].Outcome);
    }

    [Theory]
    [InlineData("the-right-key", 200)]
    [InlineData("the-wrong-key", 403)]
    [InlineData("THE-RIGHT-KEY", 403)]
    public async Task With_a_required_key_only_that_key_is_accepted(string key, int status)
    {
        await using var sim = await StartAsync(o => o.RequiredKey = "the-right-key");

        using var response = await sim.GetFlowAsync(Point, key: key);

        Assert.Equal(status, (int)response.StatusCode);
        if (status == 403)
        {
            var documented = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "tomtom", "errors", "forbidden.body.json"));
            Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(documented).RootElement, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement));
        }
    }

    [Theory]
    [InlineData(31.7683, 35.2137)] // Jerusalem
    [InlineData(0, 0)]
    [InlineData(32.0700, 34.8100)] // ~1.6 km east of the Ayalon
    [InlineData(32.1100, 34.8050)] // ~1.8 km north of Rokach
    public async Task Points_far_from_the_corridor_get_TomToms_no_coverage_400(double lat, double lon)
    {
        await using var sim = await StartAsync();

        using var response = await sim.GetFlowAsync(new GeoPoint(lat, lon));

        var documented = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "tomtom", "errors", "no_coverage.body.json"));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(documented).RootElement, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement));
        Assert.Equal("no_coverage", sim.Simulator.RecentRequests[^1].Outcome);
    }

    [Theory]
    [InlineData(32.0700, 34.7990, 200)] // ~600 m east of the carriageways
    [InlineData(32.0380, 34.7820, 200)] // the prototype's la_guardia probe, near Holon
    [InlineData(32.0700, 34.8050, 400)] // ~1.2 km east
    public async Task Coverage_radius_decides_between_an_answer_and_no_coverage(double lat, double lon, int status)
    {
        await using var sim = await StartAsync();

        using var response = await sim.GetFlowAsync(new GeoPoint(lat, lon));

        Assert.Equal(status, (int)response.StatusCode);
    }

    [Fact]
    public void Distance_to_a_polyline_measures_to_the_segment_between_vertices()
    {
        var line = new[] { new GeoPoint(32.0, 34.80), new GeoPoint(32.1, 34.80) }; // ~11 km due north
        var beside = new GeoPoint(32.05, 34.81); // mid-segment, ~944 m east, ~5.5 km from either vertex

        var d = CarriagewayIndex.DistanceToPolylineMeters(beside, line);

        Assert.InRange(d, 930, 960);
    }
}
