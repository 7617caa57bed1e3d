using System.Diagnostics;
using System.Text.Json;
using Ayalon.Core.Traffic;
using Ayalon.DevHost.Simulator;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class FaultTests
{
    private static readonly Ayalon.Core.Corridor.GeoPoint Point = Midpoint("ayalon_n_laguardia_arlozorov");

    [Theory]
    [InlineData(FaultKind.NoCoverage, 400, "INVALID_REQUEST", "Point too far from nearest existing segment.")]
    [InlineData(FaultKind.Forbidden, 403, "FORBIDDEN", "Forbidden")]
    [InlineData(FaultKind.RateLimited, 429, "TOO_MANY_REQUESTS", "Too Many Requests")]
    [InlineData(FaultKind.ServerError, 500, "INTERNAL_SERVER_ERROR", "Internal Server Error")]
    [InlineData(FaultKind.Unavailable, 503, "SERVICE_UNAVAILABLE", "Service Unavailable")]
    [InlineData(FaultKind.TomTom596, 596, "SERVICE_NOT_FOUND", "Service not found")]
    public async Task Error_faults_answer_with_TomToms_status_and_error_shape(FaultKind kind, int status, string code, string error)
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(kind);

        using var response = await sim.GetFlowAsync(Point);

        var (actualStatus, body, json) = await ReadAsync(response);
        Assert.Equal(status, actualStatus);
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.Equal(status, json.GetProperty("httpStatusCode").GetInt32());
        Assert.Equal(code, json.GetProperty("detailedError").GetProperty("code").GetString());
        Assert.False(TomTomFlowParser.Parse(body).IsOk);
        Assert.NotNull(TrackingId(response));
    }

    [Fact]
    public async Task No_coverage_fault_body_is_the_documented_TomTom_body()
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.NoCoverage);

        using var response = await sim.GetFlowAsync(Point);

        var documented = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "tomtom", "errors", "no_coverage.body.json"));
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(documented).RootElement, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(30)]
    public async Task Rate_limited_sends_Retry_After(int retryAfterSeconds)
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(new SimulatorFault(FaultKind.RateLimited, RetryAfterSeconds: retryAfterSeconds));

        using var response = await sim.GetFlowAsync(Point);

        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(retryAfterSeconds), response.Headers.RetryAfter?.Delta);
    }

    [Theory]
    [InlineData(FaultKind.MalformedJson, "not valid JSON")]
    [InlineData(FaultKind.TruncatedJson, "not valid JSON")]
    public async Task Broken_body_faults_answer_200_with_a_body_the_parser_refuses(FaultKind kind, string parseError)
    {
        await using var sim = await StartAsync();
        using var good = await sim.GetFlowAsync(Point);
        var goodBody = await good.Content.ReadAsByteArrayAsync();
        sim.Simulator.Faults.Set(kind);

        using var response = await sim.GetFlowAsync(Point);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(200, (int)response.StatusCode);
        var parsed = TomTomFlowParser.Parse(body);
        Assert.False(parsed.IsOk);
        Assert.Contains(parseError, parsed.Error);
        if (kind == FaultKind.TruncatedJson)
        {
            Assert.Equal(goodBody[..body.Length], body);
            Assert.InRange(body.Length, 100, goodBody.Length - 1);
        }
    }

    [Fact]
    public async Task Low_confidence_fault_keeps_the_answer_but_sets_confidence_one_half()
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.LowConfidence);

        using var response = await sim.GetFlowAsync(Point);
        var parsed = TomTomFlowParser.Parse(await response.Content.ReadAsStringAsync());

        Assert.True(parsed.IsOk, parsed.Error);
        Assert.Equal(0.5, parsed.Piece!.Confidence);
    }

    [Fact]
    public async Task Road_closure_fault_sends_roadClosure_with_speed_zero_which_the_parser_accepts()
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.RoadClosure);

        using var response = await sim.GetFlowAsync(Point);
        var parsed = TomTomFlowParser.Parse(await response.Content.ReadAsStringAsync());

        Assert.True(parsed.IsOk, parsed.Error);
        Assert.True(parsed.Piece!.RoadClosure);
        Assert.Equal(0, parsed.Piece.CurrentSpeedKmh);
        Assert.InRange(parsed.Piece.FreeFlowSpeedKmh, 90, 100);
    }

    [Theory]
    [InlineData(null, 400)]
    [InlineData(500, 500)]
    public async Task Echo_url_error_echoes_the_full_request_url_with_the_key(int? statusOverride, int expectedStatus)
    {
        const string secret = "leak-canary-7d1e0b";
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(new SimulatorFault(FaultKind.EchoUrlError, StatusCode: statusOverride));

        using var response = await sim.GetFlowAsync(Point, key: secret);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(expectedStatus, (int)response.StatusCode);
        Assert.Contains("key=" + secret, body);
        Assert.Contains("/traffic/services/4/flowSegmentData/absolute/10/json?point=", body);
        Assert.Equal(expectedStatus, JsonDocument.Parse(body).RootElement.GetProperty("httpStatusCode").GetInt32());
    }

    [Fact]
    public async Task Timeout_fault_hangs_until_the_client_gives_up_and_the_simulator_notices_the_abort()
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.Timeout);
        using var impatient = new HttpClient { BaseAddress = sim.Simulator.BaseUrl, Timeout = TimeSpan.FromMilliseconds(500) };

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetAsync(FlowPath(Point)));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(10));

        // Abort honoured: the request ends as "aborted" long before the 300 s hang would.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (sim.Simulator.RecentRequests.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        var record = Assert.Single(sim.Simulator.RecentRequests);
        Assert.Equal("aborted", record.Outcome);
        Assert.Null(record.StatusCode);
    }

    [Fact]
    public async Task Timeout_fault_answers_late_but_normally_once_the_hang_elapses()
    {
        await using var sim = await StartAsync(o => o.TimeoutHangSeconds = 1);
        sim.Simulator.Faults.Set(FaultKind.Timeout);

        var watch = Stopwatch.StartNew();
        using var response = await sim.GetFlowAsync(Point);

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(950), $"answered after {watch.ElapsedMilliseconds} ms");
        Assert.True(TomTomFlowParser.Parse(await response.Content.ReadAsStringAsync()).IsOk);
    }

    [Theory]
    [InlineData(FaultKind.None, 200)]
    [InlineData(FaultKind.ServerError, 500)]
    [InlineData(FaultKind.NoCoverage, 400)]
    public async Task Added_latency_delays_the_answer_and_combines_with_a_kind(FaultKind kind, int status)
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(kind, latencyMs: 400);

        var watch = Stopwatch.StartNew();
        using var response = await sim.GetFlowAsync(Point);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(380), $"answered after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_counted_fault_applies_to_the_next_n_requests_only()
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.ServerError, count: 2);

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await sim.GetFlowAsync(Point);
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([500, 500, 200, 200], statuses);
        Assert.Equal(FaultKind.None, sim.Simulator.Faults.Current.Kind);
    }

    [Fact]
    public async Task A_counted_fault_is_used_up_exactly_under_concurrent_requests()
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.Unavailable, count: 7);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await sim.GetFlowAsync(Point);
            return (int)response.StatusCode;
        }));

        Assert.Equal(7, statuses.Count(s => s == 503));
        Assert.Equal(33, statuses.Count(s => s == 200));
    }

    [Fact]
    public async Task Keyless_requests_are_refused_before_a_counted_fault_is_used()
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.TomTom596, count: 1);

        using var keyless = await sim.GetFlowAsync(Point, key: null);
        using var keyed = await sim.GetFlowAsync(Point);

        Assert.Equal(403, (int)keyless.StatusCode);
        Assert.Equal(596, (int)keyed.StatusCode);
    }

    [Fact]
    public async Task Clear_restores_normal_answers()
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.Forbidden);
        using (var faulted = await sim.GetFlowAsync(Point)) Assert.Equal(403, (int)faulted.StatusCode);

        sim.Simulator.Faults.Clear();

        using var response = await sim.GetFlowAsync(Point);
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Theory]
    [InlineData(FaultKind.ServerError, 0, 0, null, "count")]
    [InlineData(FaultKind.ServerError, null, -1, null, "latencyMs")]
    [InlineData(FaultKind.ServerError, null, 0, 500, "statusCode")]
    [InlineData(FaultKind.EchoUrlError, null, 0, 200, "statusCode")]
    public void Invalid_fault_settings_are_refused(FaultKind kind, int? count, int latencyMs, int? statusCode, string mentioned)
    {
        var faults = new SimulatorFaults();
        var ex = Assert.Throws<ArgumentException>(() => faults.Set(new SimulatorFault(kind, count, latencyMs, StatusCode: statusCode)));
        Assert.Contains(mentioned, ex.Message);
        Assert.Equal(SimulatorFault.None, faults.Current);
    }

    [Fact]
    public async Task A_fault_configured_at_start_is_active_from_the_first_request()
    {
        await using var sim = await StartAsync(o => o.Fault = "no_coverage");

        using var response = await sim.GetFlowAsync(Point);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(FaultKind.NoCoverage, sim.Simulator.Faults.Current.Kind);
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.Fault = "earthquake"));
    }
}
