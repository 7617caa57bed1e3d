using System.Text.Json;
using Ayalon.DevHost.Simulator;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class HereAuthTests
{
    private static async Task<(int Status, JsonElement Json)> GatewayAsync(HttpResponseMessage response)
    {
        var (status, _, json) = await ReadAsync(response);
        return (status, json);
    }

    private static async Task<string> TokenAsync(SimulatorHarness sim)
    {
        var header = OAuth1TestSigner.Header(sim.Simulator.HereTokenUrl, HereAccessKeyId, HereAccessKeySecret, sim.Clock.GetUtcNow());
        using var response = await OAuth1TestSigner.RequestTokenAsync(sim.Http, sim.Simulator.HereTokenUrl, header);
        var (status, _, json) = await ReadAsync(response);
        Assert.Equal(200, status);
        return json.GetProperty("access_token").GetString()!;
    }

    [Theory]
    [InlineData(null, "No credentials found", "unauthorized:no_credentials")]
    [InlineData("", "No credentials found", "unauthorized:no_credentials")]
    [InlineData("some-other-key", "apiKey invalid. apiKey not found.", "unauthorized:wrong_key")]
    public async Task A_missing_or_wrong_apiKey_gets_HEREs_401_gateway_body(string? apiKey, string description, string outcome)
    {
        await using var sim = await StartHereAsync();

        using var response = await sim.GetHereFlowAsync(apiKey: apiKey);

        var (status, json) = await GatewayAsync(response);
        Assert.Equal(401, status);
        Assert.Equal(["error", "error_description"], json.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("Unauthorized", json.GetProperty("error").GetString());
        Assert.Equal(description, json.GetProperty("error_description").GetString());
        Assert.Equal(outcome, sim.Simulator.RecentRequests[^1].Outcome);
        Assert.NotNull(CorrelationId(response));
    }

    [Fact]
    public async Task Without_a_required_key_any_apiKey_is_accepted_but_none_is_not()
    {
        await using var sim = await StartAsync();

        using var any = await sim.GetHereFlowAsync(apiKey: "whatever");
        using var none = await sim.GetHereFlowAsync(apiKey: null);

        Assert.Equal(200, (int)any.StatusCode);
        Assert.Equal(401, (int)none.StatusCode);
    }

    [Fact]
    public async Task A_signed_token_request_gets_a_bearer_token_that_flow_accepts_until_it_expires()
    {
        await using var sim = await StartHereAsync(o => o.HereTokenExpiresInSeconds = 3600);
        var header = OAuth1TestSigner.Header(sim.Simulator.HereTokenUrl, HereAccessKeyId, HereAccessKeySecret, sim.Clock.GetUtcNow());

        using var tokenResponse = await OAuth1TestSigner.RequestTokenAsync(sim.Http, sim.Simulator.HereTokenUrl, header);
        var (status, _, json) = await ReadAsync(tokenResponse);
        Assert.Equal(200, status);
        Assert.Equal(["access_token", "token_type", "expires_in"], json.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(3600, json.GetProperty("expires_in").GetInt32());
        var token = json.GetProperty("access_token").GetString()!;
        Assert.True(token.Length >= 40);
        Assert.NotNull(CorrelationId(tokenResponse));

        using (var fresh = await sim.GetHereFlowWithTokenAsync(token)) Assert.Equal(200, (int)fresh.StatusCode);
        sim.Clock.Advance(TimeSpan.FromSeconds(3599));
        using (var late = await sim.GetHereFlowWithTokenAsync(token)) Assert.Equal(200, (int)late.StatusCode);
        sim.Clock.Advance(TimeSpan.FromSeconds(1));
        using var expired = await sim.GetHereFlowWithTokenAsync(token);
        var (expiredStatus, expiredJson) = await GatewayAsync(expired);
        Assert.Equal(401, expiredStatus);
        Assert.Equal("Token Validation Failure - invalid time claims", expiredJson.GetProperty("error_description").GetString());
        Assert.Equal("unauthorized:expired_token", sim.Simulator.RecentRequests[^1].Outcome);
    }

    [Fact]
    public async Task Each_token_is_new_and_a_token_the_simulator_never_issued_is_refused()
    {
        await using var sim = await StartHereAsync();
        var first = await TokenAsync(sim);
        var second = await TokenAsync(sim);

        using var forged = await sim.GetHereFlowWithTokenAsync(first[..^2] + (first[^2..] == "AA" ? "BB" : "AA"));

        Assert.NotEqual(first, second);
        var (status, json) = await GatewayAsync(forged);
        Assert.Equal(401, status);
        Assert.Equal("Token Validation Failure", json.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task A_bearer_token_is_checked_even_when_an_apiKey_would_do()
    {
        await using var sim = await StartHereAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, HereFlowPath());
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-token");

        using var response = await sim.Http.SendAsync(request);

        Assert.Equal(401, (int)response.StatusCode);
    }

    public static TheoryData<string, int, int, string> RefusedTokenRequests() => new()
    {
        { "tampered", 401, 401300, "signature_mismatch" },
        { "wrong_secret", 401, 401300, "signature_mismatch" },
        { "wrong_key_id", 401, 401300, "unknown_access_key" },
        { "stale_timestamp", 401, 401204, "stale_timestamp" },
        { "future_timestamp", 401, 401204, "stale_timestamp" },
        { "no_header", 401, 401200, "no_authorization" },
        { "not_oauth", 401, 401202, "malformed_authorization" },
        { "hmac_sha1", 401, 401205, "unsupported_signature_method" },
        { "signed_for_another_url", 401, 401300, "signature_mismatch" },
        { "other_grant", 400, 400203, "bad_request" },
    };

    [Theory]
    [MemberData(nameof(RefusedTokenRequests))]
    public async Task Token_requests_that_are_not_genuine_and_fresh_are_refused_with_HEREs_error_code(string variant, int status, int errorCode, string outcome)
    {
        await using var sim = await StartHereAsync();
        var url = sim.Simulator.HereTokenUrl;
        var now = sim.Clock.GetUtcNow();
        var body = OAuth1TestSigner.Body;
        var header = variant switch
        {
            "tampered" => OAuth1TestSigner.Tamper(OAuth1TestSigner.Header(url, HereAccessKeyId, HereAccessKeySecret, now)),
            "wrong_secret" => OAuth1TestSigner.Header(url, HereAccessKeyId, HereAccessKeySecret + "x", now),
            "wrong_key_id" => OAuth1TestSigner.Header(url, "another-id", HereAccessKeySecret, now),
            "stale_timestamp" => OAuth1TestSigner.Header(url, HereAccessKeyId, HereAccessKeySecret, now.AddMinutes(-11)),
            "future_timestamp" => OAuth1TestSigner.Header(url, HereAccessKeyId, HereAccessKeySecret, now.AddMinutes(11)),
            "no_header" => null,
            "not_oauth" => "Basic dXNlcjpwYXNz",
            "hmac_sha1" => OAuth1TestSigner.Header(url, HereAccessKeyId, HereAccessKeySecret, now, method: "HMAC-SHA1"),
            "signed_for_another_url" => OAuth1TestSigner.Header(new Uri("https://account.api.here.com/oauth2/token"), HereAccessKeyId, HereAccessKeySecret, now),
            "other_grant" => OAuth1TestSigner.Header(url, HereAccessKeyId, HereAccessKeySecret, now),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        if (variant == "other_grant") body = "grant_type=password";

        using var response = await OAuth1TestSigner.RequestTokenAsync(sim.Http, url, header, body);

        var (actualStatus, text, json) = await ReadAsync(response);
        Assert.Equal(status, actualStatus);
        Assert.Equal(errorCode, json.GetProperty("errorCode").GetInt32());
        Assert.Equal(status, json.GetProperty("httpStatus").GetInt32());
        Assert.StartsWith("ERROR-", json.GetProperty("errorId").GetString());
        Assert.Contains($"errorCode: '{errorCode}'", json.GetProperty("error_description").GetString());
        Assert.False(json.TryGetProperty("access_token", out _));
        Assert.DoesNotContain(HereAccessKeySecret, text);
        Assert.Equal(outcome, sim.Simulator.RecentRequests[^1].Outcome);
        if (errorCode == 401300)
        {
            Assert.Equal("Signature mismatch. Authorization signature or client credential is wrong.", json.GetProperty("message").GetString());
            Assert.Equal("invalid_client", json.GetProperty("error").GetString());
        }
    }

    [Theory]
    [InlineData(-9)]
    [InlineData(9)]
    public async Task A_timestamp_within_ten_minutes_of_the_simulators_clock_is_accepted(int offsetMinutes)
    {
        await using var sim = await StartHereAsync();
        var header = OAuth1TestSigner.Header(sim.Simulator.HereTokenUrl, HereAccessKeyId, HereAccessKeySecret, sim.Clock.GetUtcNow().AddMinutes(offsetMinutes));

        using var response = await OAuth1TestSigner.RequestTokenAsync(sim.Http, sim.Simulator.HereTokenUrl, header);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_nonce_is_accepted_once()
    {
        await using var sim = await StartHereAsync();
        var header = OAuth1TestSigner.Header(sim.Simulator.HereTokenUrl, HereAccessKeyId, HereAccessKeySecret, sim.Clock.GetUtcNow(), nonce: "same-nonce-1");

        using var first = await OAuth1TestSigner.RequestTokenAsync(sim.Http, sim.Simulator.HereTokenUrl, header);
        using var replayed = await OAuth1TestSigner.RequestTokenAsync(sim.Http, sim.Simulator.HereTokenUrl, header);

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(401, (int)replayed.StatusCode);
        Assert.Equal(401207, (await ReadAsync(replayed)).Json.GetProperty("errorCode").GetInt32());
    }

    [Fact]
    public async Task Without_configured_access_keys_no_token_is_ever_issued()
    {
        await using var sim = await StartAsync();
        var header = OAuth1TestSigner.Header(sim.Simulator.HereTokenUrl, HereAccessKeyId, HereAccessKeySecret, sim.Clock.GetUtcNow());

        using var response = await OAuth1TestSigner.RequestTokenAsync(sim.Http, sim.Simulator.HereTokenUrl, header);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal(401300, (await ReadAsync(response)).Json.GetProperty("errorCode").GetInt32());
    }

    [Fact]
    public async Task Faults_never_touch_the_token_endpoint_so_a_counted_fault_waits_for_the_flow_request()
    {
        await using var sim = await StartHereAsync();
        sim.Simulator.Faults.Set(FaultKind.ServerError, count: 1);

        var token = await TokenAsync(sim);
        using var flow = await sim.GetHereFlowWithTokenAsync(token);

        Assert.Equal(500, (int)flow.StatusCode);
        Assert.Equal(FaultKind.None, sim.Simulator.Faults.Current.Kind);
    }

    [Fact]
    public async Task Neither_the_log_the_state_nor_any_answer_holds_a_key_a_secret_or_a_token()
    {
        await using var sim = await StartHereAsync();
        var token = await TokenAsync(sim);
        (await sim.GetHereFlowWithTokenAsync(token)).Dispose();
        (await sim.GetHereFlowAsync()).Dispose();
        (await sim.GetHereFlowAsync(apiKey: "wrong-" + HereKey)).Dispose();

        var served = await sim.Http.GetStringAsync("_simulator/requests") + await sim.Http.GetStringAsync("_simulator/state") +
                     string.Join("\n", sim.Simulator.RecentRequests);
        foreach (var secret in new[] { token, HereKey, HereAccessKeySecret })
        {
            Assert.DoesNotContain(secret, served);
        }
        Assert.Contains("\"surface\":\"here_token\"", served);
        Assert.Contains("\"hereOAuthConfigured\":true", served);
    }
}
