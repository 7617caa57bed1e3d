using System.Diagnostics;
using System.Text.Json;
using Ayalon.DevHost.Simulator;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class HereFaultTests
{
    private static IEnumerable<JsonElement> Items(JsonElement body) =>
        body.GetProperty("results").EnumerateArray().SelectMany(r =>
            new[] { r.GetProperty("currentFlow") }.Concat(r.GetProperty("currentFlow").GetProperty("subSegments").EnumerateArray()));

    [Theory]
    [InlineData(FaultKind.ServerError, 500, "E605001")]
    [InlineData(FaultKind.Unavailable, 503, "E605003")]
    [InlineData(FaultKind.TomTom596, 502, "E605002")]
    public async Task Server_faults_answer_with_HEREs_service_error_shape(FaultKind kind, int status, string code)
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(kind);

        using var response = await sim.GetHereFlowAsync();

        var (actualStatus, _, json) = await ReadAsync(response);
        Assert.Equal(status, actualStatus);
        Assert.Equal(["title", "status", "code", "cause", "action", "correlationId"], json.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.Equal(CorrelationId(response), json.GetProperty("correlationId").GetString());
    }

    [Fact]
    public async Task Forbidden_fault_is_HEREs_401_for_an_unknown_key()
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(FaultKind.Forbidden);

        using var response = await sim.GetHereFlowAsync();

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("""{"error":"Unauthorized","error_description":"apiKey invalid. apiKey not found."}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(45)]
    public async Task Rate_limited_sends_429_with_Retry_After(int retryAfterSeconds)
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(new SimulatorFault(FaultKind.RateLimited, RetryAfterSeconds: retryAfterSeconds));

        using var response = await sim.GetHereFlowAsync();

        var (status, _, json) = await ReadAsync(response);
        Assert.Equal(429, status);
        Assert.Equal(TimeSpan.FromSeconds(retryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal("Too Many Requests", json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(FaultKind.EmptyResults)]
    [InlineData(FaultKind.NoCoverage)]
    public async Task Empty_results_and_no_coverage_are_HEREs_literal_empty_answer(FaultKind kind)
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(kind);

        using var response = await sim.GetHereFlowAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("""{"sourceUpdated":null,"results":[]}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("fault:" + (kind == FaultKind.EmptyResults ? "empty_results" : "no_coverage"), sim.Simulator.RecentRequests[^1].Outcome);
    }

    [Fact]
    public async Task Empty_results_on_the_TomTom_surface_is_its_no_coverage_400()
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.EmptyResults);

        using var response = await sim.GetFlowAsync(Midpoint("ayalon_n_laguardia_arlozorov"));

        var (status, _, json) = await ReadAsync(response);
        Assert.Equal(400, status);
        Assert.Equal(TomTomBodies.NoCoverageMessage, json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(FaultKind.MalformedJson)]
    [InlineData(FaultKind.TruncatedJson)]
    public async Task Broken_body_faults_answer_200_with_a_body_that_is_not_JSON(FaultKind kind)
    {
        await using var sim = await StartHereAsync();
        var good = await (await sim.GetHereFlowAsync()).Content.ReadAsByteArrayAsync();
        sim.Simulator.Faults.Set(kind);

        using var response = await sim.GetHereFlowAsync();
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
        if (kind == FaultKind.TruncatedJson)
        {
            Assert.Equal(good[..body.Length], body);
            Assert.InRange(body.Length, 1000, good.Length - 1);
        }
    }

    [Fact]
    public async Task Low_confidence_fault_puts_every_result_and_subSegment_in_the_historical_band()
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(FaultKind.LowConfidence);

        var (status, _, json) = await ReadAsync(await sim.GetHereFlowAsync());

        Assert.Equal(200, status);
        var items = Items(json).ToList();
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.Equal(0.6, i.GetProperty("confidence").GetDouble()));
        Assert.All(items, i => Assert.True(i.TryGetProperty("speedUncapped", out _)));
    }

    [Fact]
    public async Task Road_closure_fault_closes_every_item_without_speed_or_confidence()
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(FaultKind.RoadClosure);

        var (status, _, json) = await ReadAsync(await sim.GetHereFlowAsync());

        Assert.Equal(200, status);
        foreach (var item in Items(json))
        {
            Assert.Equal("closed", item.GetProperty("traversability").GetString());
            Assert.Equal(10, item.GetProperty("jamFactor").GetDouble());
            Assert.False(item.TryGetProperty("speed", out _));
            Assert.False(item.TryGetProperty("speedUncapped", out _));
            Assert.False(item.TryGetProperty("confidence", out _));
            Assert.InRange(item.GetProperty("freeFlow").GetDouble(), 25, 27.8);
        }
    }

    [Theory]
    [InlineData(null, 400)]
    [InlineData(500, 500)]
    public async Task Echo_url_error_echoes_the_full_url_with_the_apiKey(int? statusOverride, int expectedStatus)
    {
        const string secret = "here-leak-canary-2f7a";
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(new SimulatorFault(FaultKind.EchoUrlError, StatusCode: statusOverride));

        using var response = await sim.GetHereFlowAsync(apiKey: secret);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(expectedStatus, (int)response.StatusCode);
        Assert.Contains("apiKey=" + secret, body);
        Assert.Contains("/v7/flow?in=bbox:", body);
        Assert.Equal(expectedStatus, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Timeout_fault_hangs_until_the_client_gives_up()
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(FaultKind.Timeout);
        using var impatient = new HttpClient { BaseAddress = sim.Simulator.BaseUrl, Timeout = TimeSpan.FromMilliseconds(400) };

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetAsync(HereFlowPath()));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(10));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (sim.Simulator.RecentRequests.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        var record = Assert.Single(sim.Simulator.RecentRequests);
        Assert.Equal(SimulatorSurface.HereFlow, record.Surface);
        Assert.Equal("aborted", record.Outcome);
    }

    [Fact]
    public async Task Added_latency_delays_a_correct_HERE_answer()
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(FaultKind.None, latencyMs: 300);

        var watch = Stopwatch.StartNew();
        using var response = await sim.GetHereFlowAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(280), $"answered after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Unauthenticated_requests_are_refused_before_a_counted_fault_is_used()
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(FaultKind.Unavailable, count: 1);

        using var keyless = await sim.GetHereFlowAsync(apiKey: null);
        using var keyed = await sim.GetHereFlowAsync();

        Assert.Equal(401, (int)keyless.StatusCode);
        Assert.Equal(503, (int)keyed.StatusCode);
    }

    [Fact]
    public async Task One_fault_switch_serves_both_surfaces_and_a_counted_fault_goes_to_whichever_asks_first()
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(FaultKind.ServerError, count: 2);

        using var here = await sim.GetHereFlowAsync();
        using var tomtom = await sim.GetFlowAsync(Midpoint("ayalon_s_arlozorov_laguardia"));
        using var after = await sim.GetHereFlowAsync();

        Assert.Equal(500, (int)here.StatusCode);
        Assert.Equal(500, (int)tomtom.StatusCode);
        Assert.Equal(200, (int)after.StatusCode);
    }

    [Theory]
    [InlineData("""{"kind":"empty_results"}""", 200)]
    [InlineData("""{"kind":"rate_limited","retryAfterSeconds":5}""", 429)]
    [InlineData("""{"kind":"forbidden"}""", 401)]
    [InlineData("""{"kind":"tomtom_596"}""", 502)]
    public async Task Faults_set_over_HTTP_apply_to_the_HERE_surface(string body, int status)
    {
        await using var sim = await StartHereAsync();

        using var set = await sim.Http.PostAsync("_simulator/faults", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        using var response = await sim.GetHereFlowAsync();

        Assert.Equal(200, (int)set.StatusCode);
        Assert.Equal(status, (int)response.StatusCode);
    }
}
