using Ayalon.Core.Corridor;
using Ayalon.Core.Secrets;
using Ayalon.Core.Traffic;
using Ayalon.Tests.Quota;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Traffic;

[Trait("Category", "Integration")]
public sealed class TomTomClientTests
{
    private static readonly GeoPoint Arlozorov = new(32.078, 34.796);

    /// <summary>The scripted answer for a case name, or null for "no server at all" (connection refused).</summary>
    private static Scripted? ScriptFor(string name) => name switch
    {
        "200_ok" => new Scripted(200, FakeTomTom.OkBody),
        "200_malformed_json" => new Scripted(200, "{\"flowSegmentData\": {\"frc\": \"FRC1\", "),
        "200_missing_fields" => new Scripted(200, "{\"flowSegmentData\":{\"frc\":\"FRC1\",\"currentSpeed\":65,\"freeFlowSpeed\":94}}"),
        "400_no_coverage" => new Scripted(400, FakeTomTom.NoCoverageBody),
        "400_other" => new Scripted(400, "{\"error\":\"Invalid zoom level\",\"httpStatusCode\":400,\"detailedError\":{\"code\":\"INVALID_REQUEST\",\"message\":\"Zoom must be between 0 and 22.\"}}"),
        "400_no_coverage_text_inside_a_longer_message" => new Scripted(400, "{\"error\":\"Bad\",\"httpStatusCode\":400,\"detailedError\":{\"code\":\"INVALID_REQUEST\",\"message\":\"Unrelated. Point too far from nearest existing segment. Unrelated.\"}}"),
        "401" => new Scripted(401, "{\"error\":\"Unauthorized\",\"httpStatusCode\":401,\"detailedError\":{\"code\":\"UNAUTHORIZED\",\"message\":\"Missing key\"}}"),
        "403" => new Scripted(403, FakeTomTom.ForbiddenBody),
        "403_html" => new Scripted(403, "<h1>Developer Inactive</h1>"),
        "429" => new Scripted(429, "{\"error\":\"Too Many Requests\",\"httpStatusCode\":429}", Headers: new Dictionary<string, string> { ["Retry-After"] = "7" }),
        "500" => new Scripted(500, "{\"error\":\"Internal Server Error\",\"httpStatusCode\":500}"),
        "503" => new Scripted(503),
        "596" => new Scripted(596, "{\"error\":\"Service Not Found\",\"httpStatusCode\":596,\"detailedError\":{\"code\":\"SERVICE_NOT_FOUND\",\"message\":\"x\"}}"),
        "timeout" => new Scripted(200, FakeTomTom.OkBody, DelaySeconds: 4),
        "connection_refused" => null,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [InlineData("200_ok", "ok", 200, null)]
    [InlineData("200_malformed_json", "parse_error", 200, "body is not valid JSON")]
    [InlineData("200_missing_fields", "parse_error", 200, "missing 'currentTravelTime'")]
    [InlineData("400_no_coverage", "no_coverage", 400, "point_too_far_from_segment")]
    [InlineData("400_other", "http_error", 400, "INVALID_REQUEST")]
    [InlineData("400_no_coverage_text_inside_a_longer_message", "http_error", 400, "INVALID_REQUEST")]
    [InlineData("401", "auth_error", 401, "UNAUTHORIZED")]
    [InlineData("403", "auth_error", 403, "FORBIDDEN")]
    [InlineData("403_html", "auth_error", 403, "http_403")]
    [InlineData("429", "rate_limited", 429, "http_429")]
    [InlineData("500", "http_error", 500, "http_500")]
    [InlineData("503", "http_error", 503, "http_503")]
    [InlineData("596", "http_error", 596, "http_596")]
    [InlineData("timeout", "network_error", null, "timeout")]
    [InlineData("connection_refused", "network_error", null, "connection_refused")]
    public async Task Answers_are_classified_from_status_exception_type_and_error_body(
        string scenario, string expectedStatus, int? expectedHttpStatus, string? expectedDetail)
    {
        await using var fake = await FakeTomTom.StartAsync();
        var script = ScriptFor(scenario);
        if (script is not null) fake.Then(script);
        var baseUrl = script is null ? new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}") : fake.BaseUrl;
        // The client's 1 s timeout runs on a fake clock: only the timeout case moves it past, once the fake holds the
        // request (in real time); no other case can time out on a slow machine.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = TomTomHarness.Create(baseUrl, time: clock);

        var pending = harness.Provider.GetFlowAsync(Arlozorov, null, default);
        if (scenario == "timeout")
        {
            await fake.RequestsArrivedAsync(1);
            clock.Advance(TimeSpan.FromMilliseconds(999));
            Assert.False(pending.IsCompleted, "gave up before its timeout");
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        var answer = await pending;

        Assert.Equal(expectedStatus, answer.Status);
        var attempt = Assert.Single(answer.Attempts);
        Assert.Equal(expectedStatus, attempt.Status);
        Assert.Equal(expectedHttpStatus, attempt.HttpStatus);
        if (expectedDetail is null) Assert.Null(attempt.ErrorDetail);
        else Assert.StartsWith(expectedDetail, attempt.ErrorDetail);
        Assert.Equal(expectedStatus == ProviderStatus.Ok, answer.Pieces.Count == 1);
        Assert.Equal(script is null ? 0 : 1, fake.RequestCount);
        if (scenario == "429") Assert.Equal(7, answer.RetryAfterSeconds);
        if (scenario == "timeout") Assert.Equal(1000, attempt.ElapsedMs, 1);
        if (expectedHttpStatus is not null && scenario != "503") Assert.NotNull(answer.Body);
    }

    [Fact]
    public async Task An_ok_answer_carries_the_parsed_piece_the_raw_body_and_its_timestamps()
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(new Scripted(200, FakeTomTom.OkBody, Headers: new Dictionary<string, string> { ["Date"] = "Tue, 15 Sep 2026 09:42:42 GMT" }));
        var now = new DateTimeOffset(2026, 9, 15, 9, 42, 43, TimeSpan.Zero);
        await using var harness = TomTomHarness.Create(fake.BaseUrl, time: new FakeTimeProvider(now));

        var answer = await harness.Provider.GetFlowAsync(Arlozorov, null, default);

        Assert.Equal(ProviderStatus.Ok, answer.Status);
        Assert.Equal("tomtom", answer.Provider);
        Assert.Equal(65, answer.Pieces.Single().CurrentSpeedKmh);
        Assert.Equal(94, answer.Pieces.Single().FreeFlowSpeedKmh);
        Assert.Equal(answer.TrackingId, answer.Pieces.Single().TrackingId);
        Assert.Equal(FakeTomTom.OkBody, System.Text.Encoding.UTF8.GetString(answer.Body!));
        Assert.Equal(answer.Body!.Length, answer.Attempts[0].ResponseBytes);
        Assert.Equal(now, answer.FetchedAtUtc);
        Assert.Equal(now, answer.Attempts[0].StartedAtUtc);
        Assert.Equal(new DateTimeOffset(2026, 9, 15, 9, 42, 42, TimeSpan.Zero), answer.ResponseDateUtc);
    }

    [Fact]
    public async Task The_request_is_exactly_the_documented_flow_segment_call()
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(new Scripted(200, FakeTomTom.OkBody));
        await using var harness = TomTomHarness.Create(fake.BaseUrl);

        var answer = await harness.Provider.GetFlowAsync(Arlozorov, null, default);

        var seen = Assert.Single(fake.Requests);
        Assert.Equal("/traffic/services/4/flowSegmentData/absolute/10/json", seen.Path);
        Assert.Equal($"?point=32.078,34.796&unit=KMPH&openLr=false&key={TomTomHarness.Key}", seen.Query);
        Assert.Contains("gzip", seen.AcceptEncoding);
        Assert.True(Guid.TryParse(seen.TrackingId, out _));
        Assert.Equal(fake.BaseUrl.ToString().TrimEnd('/') + "/traffic/services/4/flowSegmentData/absolute/10/json?point=32.078,34.796&unit=KMPH&openLr=false&key=***",
            answer.Attempts[0].RedactedUrl);
        Assert.Equal(seen.TrackingId, answer.Attempts[0].RequestTrackingId);
        Assert.Equal(seen.TrackingId, answer.Attempts[0].ResponseTrackingId);
    }

    [Fact]
    public async Task A_gzip_answer_is_decompressed_by_the_registered_handler()
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(new Scripted(200, FakeTomTom.OkBody, Gzip: true));
        await using var harness = TomTomHarness.Create(fake.BaseUrl);

        var answer = await harness.Provider.GetFlowAsync(Arlozorov, null, default);

        Assert.Equal(ProviderStatus.Ok, answer.Status);
        Assert.Equal(FakeTomTom.OkBody.Length, answer.Body!.Length);
    }

    [Theory]
    [InlineData(null, "no_key")]
    [InlineData("   ", "no_key")]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://ayalon-kv.vault.azure.net/secrets/tomtom-key/)", "unresolved_key_vault_reference")]
    [InlineData("@Microsoft.KeyVault(VaultName=ayalon-kv;SecretName=tomtom-key)", "unresolved_key_vault_reference")]
    public async Task Without_a_usable_key_no_request_is_made(string? key, string expectedDetail)
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Fallback = new Scripted(200, FakeTomTom.OkBody);
        await using var harness = TomTomHarness.Create(fake.BaseUrl, key: key);

        var answer = await harness.Provider.GetFlowAsync(Arlozorov, new RetryGate(true).Reserve, default);

        Assert.False(harness.Provider.IsConfigured);
        Assert.Equal(ProviderStatus.NotConfigured, answer.Status);
        Assert.Equal(expectedDetail, answer.Detail);
        Assert.Empty(answer.Attempts);
        Assert.Equal(0, answer.RequestsSent);
        Assert.Equal(0, fake.RequestCount);
    }

    [Theory]
    [InlineData(401, 1)]
    [InlineData(403, 1)]
    [InlineData(200, 0)]
    [InlineData(500, 0)]
    public async Task An_auth_error_makes_the_key_source_forget_its_key(int status, int expectedInvalidations)
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(new Scripted(status, status == 200 ? FakeTomTom.OkBody : "{}"));
        var keys = new CountingKeySource("rotating-key");
        await using var harness = TomTomHarness.Create(fake.BaseUrl, configure: s => s.AddSingleton<ITomTomKeySource>(keys));

        await harness.Provider.GetFlowAsync(Arlozorov, null, default);

        Assert.Equal(expectedInvalidations, keys.Invalidations);
        Assert.Equal("rotating-key", fake.Requests[0].Key);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_reported_as_a_provider_failure()
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(new Scripted(200, FakeTomTom.OkBody, DelaySeconds: 5));
        await using var harness = TomTomHarness.Create(fake.BaseUrl, timeoutSeconds: 10);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Provider.GetFlowAsync(Arlozorov, new RetryGate(true).Reserve, cts.Token));

        Assert.Equal(1, fake.RequestCount);
    }

    [Fact]
    public async Task The_default_key_source_reads_configuration_changes()
    {
        var options = new TestOptionsMonitor<TomTomOptions>(new TomTomOptions { ApiKey = "@Microsoft.KeyVault(SecretUri=https://x/)" });
        var source = new OptionsTomTomKeySource(options);
        var before = await source.GetKeyAsync(default);
        var reasonBefore = source.MissingKeyReason;

        options.CurrentValue = new TomTomOptions { ApiKey = " resolved-key " };

        Assert.Null(before);
        Assert.Equal(CredentialRules.UnresolvedKeyVaultReference, reasonBefore);
        Assert.Equal("resolved-key", await source.GetKeyAsync(default));
        Assert.Null(source.MissingKeyReason);
    }

    private sealed class CountingKeySource(string key) : ITomTomKeySource
    {
        public int Invalidations;

        public ValueTask<string?> GetKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(key);

        public void Invalidate() => Interlocked.Increment(ref Invalidations);

        public string? MissingKeyReason => null;
    }
}
