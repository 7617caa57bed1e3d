using System.Text.Json;
using System.Text.Json.Nodes;
using Ayalon.DevHost.Hosting;
using Ayalon.DevHost.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class HereRequestCountTests
{
    [Fact]
    public async Task Flow_requests_of_each_provider_and_token_requests_are_counted_apart()
    {
        await using var sim = await StartHereAsync();
        var header = OAuth1TestSigner.Header(sim.Simulator.HereTokenUrl, HereAccessKeyId, HereAccessKeySecret, sim.Clock.GetUtcNow());
        (await OAuth1TestSigner.RequestTokenAsync(sim.Http, sim.Simulator.HereTokenUrl, header)).Dispose();                 // token 200
        (await OAuth1TestSigner.RequestTokenAsync(sim.Http, sim.Simulator.HereTokenUrl, OAuth1TestSigner.Tamper(header))).Dispose(); // token 401
        (await sim.GetHereFlowAsync()).Dispose();                                                                             // here 200
        (await sim.GetHereFlowAsync(apiKey: null)).Dispose();                                                                 // here 401
        (await sim.GetHereFlowAsync("1,2,3")).Dispose();                                                                      // here 400
        (await sim.GetFlowAsync(Midpoint("ayalon_n_holon_laguardia"))).Dispose();                                             // tomtom 200
        (await sim.Http.GetAsync("_simulator/state")).Dispose();                                                              // control

        var s = sim.Simulator;
        Assert.Equal(4, s.RequestCount);
        Assert.Equal(3, s.HereFlowRequestCount);
        Assert.Equal(1, s.TomTomRequestCount);
        Assert.Equal(2, s.TokenRequestCount);
        var state = JsonDocument.Parse(await sim.Http.GetStringAsync("_simulator/state")).RootElement;
        Assert.Equal(4, state.GetProperty("requestCount").GetInt32());
        Assert.Equal(3, state.GetProperty("hereFlowRequestCount").GetInt32());
        Assert.Equal(1, state.GetProperty("tomTomRequestCount").GetInt32());
        Assert.Equal(2, state.GetProperty("tokenRequestCount").GetInt32());
        Assert.Equal("live", state.GetProperty("hereMode").GetString());
        Assert.True(state.GetProperty("hereApiKeySet").GetBoolean());
    }

    [Fact]
    public async Task The_log_names_the_surface_method_and_area_of_each_request()
    {
        await using var sim = await StartHereAsync();
        var header = OAuth1TestSigner.Header(sim.Simulator.HereTokenUrl, HereAccessKeyId, HereAccessKeySecret, sim.Clock.GetUtcNow());
        (await OAuth1TestSigner.RequestTokenAsync(sim.Http, sim.Simulator.HereTokenUrl, header)).Dispose();
        (await sim.GetHereFlowAsync()).Dispose();

        var log = sim.Simulator.RecentRequests;
        Assert.Equal(2, log.Count);
        Assert.Equal((SimulatorSurface.HereToken, "POST", "/oauth2/token", 200, "token_issued"), (log[0].Surface, log[0].Method, log[0].Path, log[0].StatusCode, log[0].Outcome));
        Assert.True(log[0].KeyPresent);
        Assert.Equal((SimulatorSurface.HereFlow, "GET", "/v7/flow", 200, "ok"), (log[1].Surface, log[1].Method, log[1].Path, log[1].StatusCode, log[1].Outcome));
        Assert.Equal("bbox:" + CorridorBbox, log[1].Area);
        Assert.Null(log[1].Point);
        Assert.Equal(WeekdayMorningPeakUtc, log[1].ReceivedAtUtc);
    }
}

[Trait("Category", "Integration")]
public sealed class HereReplayTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ayalon-here-replay-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>A set written from a live answer with one speed changed, so the test can tell it was served.</summary>
    private async Task<byte[]> WriteSetAsync(string set, bool withError = false)
    {
        byte[] live;
        await using (var source = await StartHereAsync())
        {
            live = await (await source.GetHereFlowAsync()).Content.ReadAsByteArrayAsync();
        }
        var node = JsonNode.Parse(live)!;
        node["results"]![0]!["currentFlow"]!["speedUncapped"] = 3.25;
        var body = JsonSerializer.SerializeToUtf8Bytes(node);
        var folder = Directory.CreateDirectory(Path.Combine(_root, set)).FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, "b_morning.json"), body);
        // A TomTom answer kept in the same folder is not a HERE answer and is left alone.
        await File.WriteAllTextAsync(Path.Combine(folder, "c_tomtom.body.json"), """{"flowSegmentData":{"frc":"FRC1"}}""");
        if (withError)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "a_throttled.json"), """{"error":"Too Many Requests","error_description":"Rate limit for this service has been reached"}""");
            await File.WriteAllTextAsync(Path.Combine(folder, "a_throttled.meta.json"), """{"response":{"status":429,"headers":{"content-type":"application/json"}}}""");
        }
        return body;
    }

    [Fact]
    public async Task A_folder_of_HERE_answers_is_served_byte_for_byte_when_the_bbox_meets_it()
    {
        var body = await WriteSetAsync("here-set");
        await using var sim = await StartHereAsync(o => { o.HereReplayDirectory = _root; o.HereReplaySet = "here-set"; });

        using var response = await sim.GetHereFlowAsync();
        using var elsewhere = await sim.GetHereFlowAsync("34.95,32.75,35.05,32.85");

        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("replay:b_morning", sim.Simulator.RecentRequests[^2].Outcome);
        Assert.Equal("""{"sourceUpdated":null,"results":[]}""", await elsewhere.Content.ReadAsStringAsync());
        Assert.Equal(SimulatorMode.Replay, sim.Simulator.HereMode);
        Assert.Equal(SimulatorMode.Live, sim.Simulator.Mode); // TomTom stays live
        Assert.Equal("here-set", JsonDocument.Parse(await sim.Http.GetStringAsync("_simulator/state")).RootElement.GetProperty("hereReplaySet").GetString());
    }

    [Fact]
    public async Task A_recorded_error_answer_is_served_with_its_status_and_data_faults_apply_to_recorded_bodies()
    {
        await WriteSetAsync("with-error", withError: true);
        await using var sim = await StartHereAsync(o => { o.HereReplayDirectory = _root; o.HereReplaySet = "with-error"; });

        using var throttled = await sim.GetHereFlowAsync();
        Assert.Equal(429, (int)throttled.StatusCode);
        Assert.Equal("replay:a_throttled", sim.Simulator.RecentRequests[^1].Outcome);

        File.Delete(Path.Combine(_root, "with-error", "a_throttled.json"));
        await using var sim2 = await StartHereAsync(o => { o.HereReplayDirectory = _root; o.HereReplaySet = "with-error"; });
        sim2.Simulator.Faults.Set(FaultKind.RoadClosure);
        var (status, _, json) = await ReadAsync(await sim2.GetHereFlowAsync());
        Assert.Equal(200, status);
        Assert.All(json.GetProperty("results").EnumerateArray(), r => Assert.Equal("closed", r.GetProperty("currentFlow").GetProperty("traversability").GetString()));
    }

    [Fact]
    public async Task A_missing_or_empty_set_stops_the_simulator_from_starting_with_a_clear_error()
    {
        Directory.CreateDirectory(Path.Combine(_root, "empty"));

        var missing = await Assert.ThrowsAsync<ArgumentException>(() => StartHereAsync(o => { o.HereReplayDirectory = _root; o.HereReplaySet = "nope"; }));
        var empty = await Assert.ThrowsAsync<InvalidDataException>(() => StartHereAsync(o => { o.HereReplayDirectory = _root; o.HereReplaySet = "empty"; }));

        Assert.Contains("HereReplaySet: HERE replay set 'nope' not found", missing.Message, StringComparison.Ordinal);
        Assert.Contains("no *.json", empty.Message);
    }
}

[Trait("Category", "Integration")]
public class DevHostHereWiringTests
{
    [Theory]
    [InlineData(null, null, null, null, null, true)]                                         // nothing: simulator
    [InlineData("here-key", null, null, null, null, false)]                                  // HERE key: real HERE
    [InlineData(null, "id", "secret", null, null, false)]                                    // HERE OAuth: real HERE
    [InlineData(null, "id", null, null, null, true)]                                         // half an OAuth pair is no credential
    [InlineData("here-key", null, null, "http://127.0.0.1:9/fake", null, false)]             // key + URL: honoured as given
    [InlineData("here-key", null, null, "http://127.0.0.1:9/fake", "true", false)]           // even with the simulator flag
    [InlineData("here-key", null, null, null, "true", true)]                                 // the simulator asked for
    public void Simulator_mode_counts_HERE_credentials_too(string? key, string? id, string? secret, string? baseUrl, string? flag, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Here:ApiKey"] = key,
            ["Here:AccessKeyId"] = id,
            ["Here:AccessKeySecret"] = secret,
            ["Here:BaseUrl"] = baseUrl,
            ["DevHost:Simulator"] = flag,
        }).Build();

        Assert.Equal(expected, DevHostApp.ShouldUseSimulator(configuration));
    }

    private static Task<WebApplication> BuildAsync(params (string Key, string? Value)[] settings)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["DevHost:RunTimers"] = "false",
            ["DevHost:Urls"] = "http://127.0.0.1:0",
            ["Here:ApiKey"] = "a-real-key-that-must-not-reach-the-simulator",
            ["DevHost:Simulator"] = "true",
        };
        foreach (var (k, v) in settings) overrides[k] = v;
        return DevHostApp.BuildAsync([], overrides);
    }

    [Fact]
    public async Task Simulator_mode_points_HERE_at_the_simulator_with_a_per_run_key_it_enforces()
    {
        var app = await BuildAsync();
        var simulator = app.Services.GetRequiredService<TrafficSimulator>();
        try
        {
            var config = app.Configuration;
            Assert.Equal(simulator.BaseUrl.ToString().TrimEnd('/'), config["Here:BaseUrl"]);
            Assert.Equal(simulator.HereTokenUrl.ToString(), config["Here:TokenUrl"]);
            Assert.Equal(config["Here:BaseUrl"], config["TomTom:BaseUrl"]);
            var key = config["Here:ApiKey"]!;
            Assert.StartsWith("simulator-", key);
            Assert.False(string.IsNullOrEmpty(config["TomTom:ApiKey"]));
            Assert.True(string.IsNullOrEmpty(config["Here:AccessKeyId"]));

            using var http = new HttpClient { BaseAddress = simulator.BaseUrl };
            using var ok = await http.GetAsync(HereFlowPath(apiKey: key));
            using var real = await http.GetAsync(HereFlowPath(apiKey: "a-real-key-that-must-not-reach-the-simulator"));
            Assert.Equal(200, (int)ok.StatusCode);
            Assert.Equal(401, (int)real.StatusCode);
        }
        finally
        {
            await simulator.DisposeAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task SimulatorAuth_oauth_configures_per_run_access_keys_the_token_endpoint_accepts()
    {
        var app = await BuildAsync(("DevHost:SimulatorAuth", "oauth"));
        var simulator = app.Services.GetRequiredService<TrafficSimulator>();
        try
        {
            var config = app.Configuration;
            Assert.True(string.IsNullOrEmpty(config["Here:ApiKey"]));
            var id = config["Here:AccessKeyId"]!;
            var secret = config["Here:AccessKeySecret"]!;
            Assert.False(string.IsNullOrEmpty(id));
            Assert.True(secret.Length >= 32);

            using var http = new HttpClient { BaseAddress = simulator.BaseUrl };
            var tokenUrl = new Uri(config["Here:TokenUrl"]!);
            using var response = await OAuth1TestSigner.RequestTokenAsync(http, tokenUrl, OAuth1TestSigner.Header(tokenUrl, id, secret, DateTimeOffset.UtcNow));
            var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
            using var request = new HttpRequestMessage(HttpMethod.Get, HereFlowPath(apiKey: null));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var flow = await http.SendAsync(request);
            Assert.Equal(200, (int)flow.StatusCode);
        }
        finally
        {
            await simulator.DisposeAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unknown_SimulatorAuth_is_refused_with_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => BuildAsync(("DevHost:SimulatorAuth", "password")));
        Assert.Contains("DevHost:SimulatorAuth must be 'key' or 'oauth'", ex.Message);
    }
}
