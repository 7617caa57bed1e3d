using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class ControlEndpointTests
{
    private static readonly Ayalon.Core.Corridor.GeoPoint Point = Midpoint("ayalon_s_laguardia_holon");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [Fact]
    public async Task State_reports_mode_seed_fault_and_request_count()
    {
        await using var sim = await StartAsync(o => o.Seed = 42);
        (await sim.GetFlowAsync(Point)).Dispose();
        (await sim.GetFlowAsync(Point, key: null)).Dispose();

        var state = await JsonAsync(await sim.Http.GetAsync("_simulator/state"));

        Assert.Equal("live", state.GetProperty("mode").GetString());
        Assert.Equal(42, state.GetProperty("seed").GetInt32());
        Assert.Equal("none", state.GetProperty("fault").GetProperty("kind").GetString());
        Assert.Equal(2, state.GetProperty("requestCount").GetInt32());
        Assert.Equal(sim.Simulator.BaseUrl.ToString(), state.GetProperty("baseUrl").GetString());
    }

    [Fact]
    public async Task State_reports_replay_mode_and_set()
    {
        await using var sim = await StartAsync(o => o.ReplaySet = "2026-01-10");

        var state = await JsonAsync(await sim.Http.GetAsync("_simulator/state"));

        Assert.Equal("replay", state.GetProperty("mode").GetString());
        Assert.Equal("2026-01-10", state.GetProperty("replaySet").GetString());
    }

    [Theory]
    [InlineData("""{"kind":"no_coverage"}""", 400)]
    [InlineData("""{"kind":"forbidden"}""", 403)]
    [InlineData("""{"kind":"rate_limited","retryAfterSeconds":9}""", 429)]
    [InlineData("""{"kind":"server_error"}""", 500)]
    [InlineData("""{"kind":"unavailable"}""", 503)]
    [InlineData("""{"kind":"tomtom_596"}""", 596)]
    [InlineData("""{"kind":"echo_url_error","statusCode":502}""", 502)]
    [InlineData("""{"kind":"malformed_json"}""", 200)]
    [InlineData("""{"kind":"TRUNCATED_JSON"}""", 200)]
    [InlineData("""{"kind":"low_confidence"}""", 200)]
    [InlineData("""{"kind":"road_closure"}""", 200)]
    [InlineData("""{"kind":"empty_results"}""", 400)]
    [InlineData("""{"kind":"none","latencyMs":50}""", 200)]
    public async Task Post_faults_switches_the_next_answer(string body, int status)
    {
        await using var sim = await StartAsync();

        using var set = await sim.Http.PostAsync("_simulator/faults", new StringContent(body, Encoding.UTF8, "application/json"));
        using var response = await sim.GetFlowAsync(Point);

        Assert.Equal(200, (int)set.StatusCode);
        Assert.Equal(status, (int)response.StatusCode);
        var kind = JsonDocument.Parse(body).RootElement.GetProperty("kind").GetString()!.ToLowerInvariant();
        Assert.Equal(kind, (await JsonAsync(set)).GetProperty("fault").GetProperty("kind").GetString());
        Assert.Equal(kind == "none" ? "ok" : "fault:" + kind, sim.Simulator.RecentRequests[^1].Outcome);
    }

    [Fact]
    public async Task A_counted_fault_set_over_HTTP_counts_down_in_the_state()
    {
        await using var sim = await StartAsync();

        var afterSet = await JsonAsync(await sim.Http.PostAsJsonAsync("_simulator/faults", new { kind = "server_error", count = 2 }));
        (await sim.GetFlowAsync(Point)).Dispose();
        var afterOne = await JsonAsync(await sim.Http.GetAsync("_simulator/state"));
        (await sim.GetFlowAsync(Point)).Dispose();
        var afterTwo = await JsonAsync(await sim.Http.GetAsync("_simulator/state"));

        Assert.Equal(2, afterSet.GetProperty("fault").GetProperty("count").GetInt32());
        Assert.Equal(1, afterOne.GetProperty("fault").GetProperty("count").GetInt32());
        Assert.Equal("none", afterTwo.GetProperty("fault").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Delete_faults_clears_the_fault()
    {
        await using var sim = await StartAsync();
        (await sim.Http.PostAsJsonAsync("_simulator/faults", new { kind = "unavailable" })).Dispose();
        using (var faulted = await sim.GetFlowAsync(Point)) Assert.Equal(503, (int)faulted.StatusCode);

        var state = await JsonAsync(await sim.Http.DeleteAsync("_simulator/faults"));
        using var response = await sim.GetFlowAsync(Point);

        Assert.Equal("none", state.GetProperty("fault").GetProperty("kind").GetString());
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("""{"kind":"earthquake"}""", "unknown kind")]
    [InlineData("""{"kind":"server_error","count":0}""", "count")]
    [InlineData("""{"kind":"server_error","statusCode":502}""", "statusCode")]
    [InlineData("""{"kind":"none","latencyMs":-5}""", "latencyMs")]
    [InlineData("""not json""", "body must be JSON")]
    public async Task Invalid_fault_requests_get_400_and_change_nothing(string body, string mentioned)
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(Ayalon.DevHost.Simulator.FaultKind.Forbidden);

        using var response = await sim.Http.PostAsync("_simulator/faults", new StringContent(body, Encoding.UTF8, "application/json"));

        var json = await JsonAsync(response);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("invalid_input", json.GetProperty("error").GetString());
        Assert.Contains(mentioned, json.GetProperty("message").GetString());
        Assert.Equal(Ayalon.DevHost.Simulator.FaultKind.Forbidden, sim.Simulator.Faults.Current.Kind);
    }

    [Fact]
    public async Task Requests_endpoint_lists_recent_requests_oldest_first()
    {
        await using var sim = await StartAsync();
        (await sim.GetFlowAsync(Point, zoom: "9")).Dispose();
        (await sim.GetFlowAsync(Point, key: null, zoom: "11")).Dispose();

        var requests = (await JsonAsync(await sim.Http.GetAsync("_simulator/requests"))).GetProperty("requests");

        Assert.Equal(2, requests.GetArrayLength());
        Assert.Equal(9, requests[0].GetProperty("zoom").GetInt32());
        Assert.Equal(200, requests[0].GetProperty("statusCode").GetInt32());
        Assert.False(requests[1].GetProperty("keyPresent").GetBoolean());
        Assert.Equal(403, requests[1].GetProperty("statusCode").GetInt32());
    }
}
