using Ayalon.Core.Secrets;
using Ayalon.Core.Traffic;
using Ayalon.Core.Traffic.Here;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Traffic.Here;

/// <summary>
/// HERE credentials from configuration: the API key as is, or OAuth client credentials exchanged with a real loopback
/// token endpoint that verifies every signature (<see cref="FakeHereAccount"/>), the token cached on a fake clock.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HereCredentialsTests
{
    private const string KeyId = "here-key-id-4c2a";
    private const string Secret = "here-secret/+=~ 9f";
    private const string ApiKey = "here-api-key-77e1";
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_API_key_from_configuration_is_handed_out_without_a_token_request()
    {
        await using var account = await FakeHereAccount.StartAsync();
        await using var here = HereHarness.Create(account.TokenUrl, apiKey: " " + ApiKey + " ");

        var auth = await here.Credentials.GetAsync(default);

        Assert.True(auth.IsUsable);
        Assert.Equal(ApiKey, auth.ApiKey);
        Assert.Null(auth.BearerToken);
        Assert.Empty(auth.TokenRequests);
        Assert.Null(here.Credentials.MissingReason);
        Assert.Contains(ApiKey, here.Credentials.SecretsToRedact);
        Assert.Equal(0, account.RequestCount);
    }

    [Fact]
    public async Task OAuth_wins_over_an_API_key_and_its_token_request_is_a_signed_form_post_the_account_server_accepts()
    {
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, Secret);
        var clock = new FakeTimeProvider(Start);
        await using var here = HereHarness.Create(account.TokenUrl, apiKey: ApiKey, accessKeyId: KeyId, accessKeySecret: Secret, time: clock);

        var auth = await here.Credentials.GetAsync(default);

        var seen = Assert.Single(account.Requests);
        Assert.True(seen.SignatureValid);
        Assert.Equal("POST", seen.Method);
        Assert.StartsWith("application/x-www-form-urlencoded", seen.ContentType);
        Assert.Equal("grant_type=client_credentials", seen.Body);
        Assert.Equal(KeyId, seen.OAuth["oauth_consumer_key"]);
        Assert.Equal(Start.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), seen.OAuth["oauth_timestamp"]);

        Assert.True(auth.IsUsable);
        Assert.Null(auth.ApiKey); // no secret in any URL
        Assert.Equal("token-1", auth.BearerToken);
        var attempt = Assert.Single(auth.TokenRequests);
        Assert.Equal(ProviderStatus.Ok, attempt.Status);
        Assert.Equal(200, attempt.HttpStatus);
        Assert.Equal(account.TokenUrl.ToString(), attempt.RedactedUrl);
        Assert.Equal(Start, attempt.StartedAtUtc);
        Assert.StartsWith("corr-", attempt.ResponseTrackingId);
        Assert.Contains("token-1", here.Credentials.SecretsToRedact);
        Assert.Contains(Secret.Trim(), here.Credentials.SecretsToRedact);
    }

    [Fact]
    public async Task The_token_is_cached_until_five_minutes_before_it_expires_then_renewed()
    {
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, Secret);
        var clock = new FakeTimeProvider(Start);
        await using var here = HereHarness.Create(account.TokenUrl, accessKeyId: KeyId, accessKeySecret: Secret, time: clock);

        var first = await here.Credentials.GetAsync(default);
        var again = new List<HereAuth>();
        for (var i = 0; i < 50; i++) again.Add(await here.Credentials.GetAsync(default));
        clock.Advance(TimeSpan.FromSeconds(86399) - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        var lastCached = await here.Credentials.GetAsync(default);
        Assert.Equal(1, account.RequestCount);

        clock.Advance(TimeSpan.FromSeconds(1)); // exactly 5 minutes before expiry
        var renewed = await here.Credentials.GetAsync(default);

        Assert.Single(first.TokenRequests);
        Assert.All(again, a => Assert.Equal("token-1", a.BearerToken));
        Assert.All(again, a => Assert.Empty(a.TokenRequests)); // nothing to record for a cached token
        Assert.Equal("token-1", lastCached.BearerToken);
        Assert.Equal(2, account.RequestCount);
        Assert.Equal("token-2", renewed.BearerToken);
        Assert.Single(renewed.TokenRequests);
        Assert.All(account.Requests, r => Assert.True(r.SignatureValid));
        Assert.NotEqual(account.Requests[0].OAuth["oauth_nonce"], account.Requests[1].OAuth["oauth_nonce"]);
    }

    [Fact]
    public async Task A_token_shorter_lived_than_twice_the_margin_is_renewed_at_half_its_life()
    {
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, Secret);
        account.ExpiresInSeconds = 300;
        var clock = new FakeTimeProvider(Start);
        await using var here = HereHarness.Create(account.TokenUrl, accessKeyId: KeyId, accessKeySecret: Secret, time: clock);

        Assert.Equal("token-1", (await here.Credentials.GetAsync(default)).BearerToken);
        clock.Advance(TimeSpan.FromSeconds(149));
        Assert.Equal("token-1", (await here.Credentials.GetAsync(default)).BearerToken);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("token-2", (await here.Credentials.GetAsync(default)).BearerToken);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_in_flight_token_request()
    {
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, Secret);
        account.Delay = TimeSpan.FromMilliseconds(500);
        await using var here = HereHarness.Create(account.TokenUrl, accessKeyId: KeyId, accessKeySecret: Secret);
        var credentials = here.Credentials;

        var all = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => credentials.GetAsync(default))));

        Assert.Equal(1, account.RequestCount);
        Assert.All(all, a => Assert.Equal("token-1", a.BearerToken));
    }

    [Fact]
    public async Task Invalidate_drops_the_token_and_the_next_call_asks_for_a_new_one()
    {
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, Secret);
        await using var here = HereHarness.Create(account.TokenUrl, accessKeyId: KeyId, accessKeySecret: Secret, time: new FakeTimeProvider(Start));

        Assert.Equal("token-1", (await here.Credentials.GetAsync(default)).BearerToken);
        here.Credentials.Invalidate(); // HERE answered 401 to a traffic request with token-1
        var next = await here.Credentials.GetAsync(default);

        Assert.Equal("token-2", next.BearerToken);
        Assert.Single(next.TokenRequests);
        Assert.Equal(2, account.RequestCount);
    }

    [Fact]
    public async Task A_rotated_secret_in_configuration_is_used_for_a_new_token_without_a_restart()
    {
        const string rotated = "rotated-secret-b77d";
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, Secret);
        await using var here = HereHarness.Create(account.TokenUrl, accessKeyId: KeyId, accessKeySecret: Secret, time: new FakeTimeProvider(Start));
        Assert.Equal("token-1", (await here.Credentials.GetAsync(default)).BearerToken);

        account.Accept(KeyId, rotated); // the old secret no longer signs valid requests
        here.Configuration["Here:AccessKeySecret"] = rotated;
        here.Configuration.Reload();
        var next = await here.Credentials.GetAsync(default);

        Assert.Equal("token-2", next.BearerToken);
        Assert.True(account.Requests[^1].SignatureValid);
    }

    [Fact]
    public async Task A_401_from_the_token_endpoint_is_an_auth_error_with_HEREs_error_code_and_is_not_cached()
    {
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, "the-secret-HERE-knows");
        await using var here = HereHarness.Create(account.TokenUrl, accessKeyId: KeyId, accessKeySecret: Secret, time: new FakeTimeProvider(Start));

        var auth = await here.Credentials.GetAsync(default);
        var again = await here.Credentials.GetAsync(default);

        Assert.False(auth.IsUsable);
        Assert.Equal(ProviderStatus.AuthError, auth.FailureStatus);
        Assert.Equal("401300", auth.FailureDetail);
        Assert.Null(auth.BearerToken);
        var attempt = Assert.Single(auth.TokenRequests);
        Assert.Equal(ProviderStatus.AuthError, attempt.Status);
        Assert.Equal(401, attempt.HttpStatus);
        Assert.Equal(account.TokenUrl.ToString(), attempt.RedactedUrl);
        Assert.Equal(ProviderStatus.AuthError, again.FailureStatus);
        Assert.Equal(2, account.RequestCount); // a refusal is asked again next time (the secret may have been fixed)
        Assert.Null(here.Credentials.MissingReason); // configured, just refused
    }

    [Theory]
    [InlineData(403, null, ProviderStatus.AuthError, "http_403")]
    [InlineData(400, """{"error":"invalid_client","error_description":"bad"}""", ProviderStatus.AuthError, "invalid_client")]
    [InlineData(400, """{"errorId":"E-1","httpStatus":400,"errorCode":401300,"message":"Invalid client credentials."}""", ProviderStatus.AuthError, "401300")]
    [InlineData(400, """{"errorId":"E-2","httpStatus":400,"errorCode":400200,"message":"Received invalid data."}""", ProviderStatus.HttpError, "400200")]
    [InlineData(429, """{"errorId":"E-3","httpStatus":429,"errorCode":429002,"message":"Too many requests"}""", ProviderStatus.RateLimited, "429002")]
    [InlineData(503, "<html>down</html>", ProviderStatus.HttpError, "http_503")]
    [InlineData(200, "not json", ProviderStatus.ParseError, HereTokenClient.DetailInvalidTokenResponse)]
    [InlineData(200, """{"access_token":"t","token_type":"mac","expires_in":3600}""", ProviderStatus.ParseError, HereTokenClient.DetailInvalidTokenResponse)]
    [InlineData(200, """{"access_token":"t","token_type":"bearer"}""", ProviderStatus.ParseError, HereTokenClient.DetailInvalidTokenResponse)]
    [InlineData(200, """{"access_token":"a b\r\nX-Injected: 1","token_type":"bearer","expires_in":3600}""", ProviderStatus.ParseError, HereTokenClient.DetailInvalidTokenResponse)]
    public async Task Token_endpoint_answers_are_classified_from_status_and_HEREs_error_code(int status, string? body, string expectedStatus, string expectedDetail)
    {
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, Secret).Then(new Scripted(status, body, Headers: status == 429 ? new Dictionary<string, string> { ["Retry-After"] = "7" } : null));
        await using var here = HereHarness.Create(account.TokenUrl, accessKeyId: KeyId, accessKeySecret: Secret, time: new FakeTimeProvider(Start));

        var auth = await here.Credentials.GetAsync(default);

        Assert.Equal(expectedStatus, auth.FailureStatus);
        Assert.Equal(expectedDetail, auth.FailureDetail);
        var attempt = Assert.Single(auth.TokenRequests);
        Assert.Equal(status, attempt.HttpStatus);
        Assert.Equal(status == 429 ? 7 : null, attempt.RetryAfterSeconds);
        Assert.Null(auth.BearerToken);
    }

    [Fact]
    public async Task A_token_endpoint_that_does_not_answer_in_time_is_a_network_error_timeout()
    {
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, Secret).Then(new Scripted(200, "{}", DelaySeconds: 10));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var here = HereHarness.Create(account.TokenUrl, accessKeyId: KeyId, accessKeySecret: Secret, timeoutSeconds: 5, time: clock);

        var pending = here.Credentials.GetAsync(default);
        // The account holds the request (10 s of real time); the client's own 5 s timeout runs on the fake clock.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (account.RequestCount == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(pending.IsCompleted, "gave up before its timeout");
        clock.Advance(TimeSpan.FromSeconds(0.1));
        var auth = await pending.WaitAsync(TimeSpan.FromSeconds(5)); // the client's timeout, not the server's answer, ends it

        Assert.Equal(ProviderStatus.NetworkError, auth.FailureStatus);
        Assert.Equal(ErrorDetails.Timeout, auth.FailureDetail);
        var attempt = Assert.Single(auth.TokenRequests);
        Assert.Null(attempt.HttpStatus);
        Assert.Equal(5000, attempt.ElapsedMs, 1);
    }

    [Fact]
    public async Task An_unreachable_token_endpoint_is_a_network_error_connection_refused()
    {
        var closed = new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}/oauth2/token");
        await using var here = HereHarness.Create(closed, accessKeyId: KeyId, accessKeySecret: Secret);

        var auth = await here.Credentials.GetAsync(default);

        Assert.Equal(ProviderStatus.NetworkError, auth.FailureStatus);
        Assert.Equal(ErrorDetails.ConnectionRefused, auth.FailureDetail);
        Assert.Equal(closed.ToString(), Assert.Single(auth.TokenRequests).RedactedUrl);
    }

    [Theory]
    [InlineData(null, null, null, CredentialRules.NoKey)]
    [InlineData("  ", "", null, CredentialRules.NoKey)]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/here-api-key)", null, null, CredentialRules.UnresolvedKeyVaultReference)]
    [InlineData(null, "id", "@Microsoft.KeyVault(VaultName=kv-x;SecretName=here-access-key-secret)", CredentialRules.UnresolvedKeyVaultReference)]
    [InlineData(null, "id", null, HereSecrets.OAuthIncomplete)]
    [InlineData(null, null, "secret", HereSecrets.OAuthIncomplete)]
    public async Task Unusable_configuration_is_not_configured_with_its_reason_and_nothing_is_sent(
        string? apiKey, string? keyId, string? secret, string reason)
    {
        await using var account = await FakeHereAccount.StartAsync();
        await using var here = HereHarness.Create(account.TokenUrl, apiKey: apiKey, accessKeyId: keyId, accessKeySecret: secret);

        Assert.Equal(reason, here.Credentials.MissingReason);
        Assert.False(here.Credentials.RetryDue);
        var auth = await here.Credentials.GetAsync(default);

        Assert.Equal(ProviderStatus.NotConfigured, auth.FailureStatus);
        Assert.Equal(reason, auth.FailureDetail);
        Assert.Empty(auth.TokenRequests);
        Assert.Equal(0, account.RequestCount);
        // A secret that is set but unused (half an OAuth pair) is still redacted wherever it might appear.
        Assert.Equal(new[] { CredentialRules.Usable(apiKey), CredentialRules.Usable(secret) }.OfType<string>(), here.Credentials.SecretsToRedact);
    }

    [Fact]
    public async Task An_unusable_OAuth_pair_falls_back_to_a_usable_API_key()
    {
        await using var account = await FakeHereAccount.StartAsync();
        await using var here = HereHarness.Create(account.TokenUrl, apiKey: ApiKey, accessKeyId: KeyId,
            accessKeySecret: "@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/here-access-key-secret)");

        var auth = await here.Credentials.GetAsync(default);

        Assert.Equal(ApiKey, auth.ApiKey);
        Assert.Equal(0, account.RequestCount);
        Assert.False(here.Services.GetRequiredService<IOptions<HereOptions>>().Value.UsesOAuth);
    }

    [Fact]
    public void Registration_validates_HERE_options_and_reads_credentials_from_configuration_without_a_vault()
    {
        using var good = HereHarness.Create(null, apiKey: ApiKey).Services;
        Assert.IsType<OptionsHereSecretSource>(good.GetRequiredService<IHereSecretSource>());
        Assert.Equal(HereOptions.DefaultTokenUrl, good.GetRequiredService<IOptions<HereOptions>>().Value.TokenUrl);
        Assert.Same(good.GetRequiredService<IHereCredentials>(), good.GetRequiredService<IHereCredentials>());

        using var bad = HereHarness.Create(new Uri("http://127.0.0.1:1/oauth2/token"), extra: new() { ["Here:TokenUrl"] = "not a url" }).Services;
        var error = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IOptions<HereOptions>>().Value);
        Assert.Contains("TokenUrl", error.Message);
    }
}
