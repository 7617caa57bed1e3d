using System.Text;
using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.Core.Traffic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Traffic;

/// <summary>
/// The key must not leak through anything the app keeps or writes: attempt records, stored bodies, exceptions, or
/// any log line of any category — even when the provider echoes the full request URL back.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TomTomKeySecrecyTests
{
    private const string Canary = "CANARY-0123456789abcdef";
    private static readonly GeoPoint Point = new(32.078, 34.796);

    private static readonly Dictionary<string, string> EchoHeaders = new()
    {
        ["Tracking-ID"] = "{key}",
        ["X-Request-Url"] = "{url}",
    };

    [Fact]
    public async Task The_key_never_appears_in_attempts_bodies_exceptions_or_logs()
    {
        // Arrange: a provider that echoes the request URL and key in bodies, error codes and headers.
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(
            new Scripted(400, "{\"error\":\"Invalid request {url}\",\"httpStatusCode\":400,\"detailedError\":{\"code\":\"{key}\",\"message\":\"Bad request: {url}\"}}", Headers: EchoHeaders),
            new Scripted(500, "<html><body>Upstream failed for {url}</body></html>", Headers: EchoHeaders),
            new Scripted(503, "{\"error\":\"down\",\"httpStatusCode\":503,\"detailedError\":{\"code\":\"{key}\",\"message\":\"{url}\"}}", Headers: EchoHeaders),
            new Scripted(403, "{\"error\":\"Forbidden\",\"httpStatusCode\":403,\"detailedError\":{\"code\":\"FORBIDDEN\",\"message\":\"The supplied API Key {key} is not valid for {url}\"}}"),
            new Scripted(429, "{\"error\":\"Too many requests for key {key}\"}", Headers: new Dictionary<string, string> { ["Retry-After"] = "5" }),
            new Scripted(200, "not json: {url}"),
            new Scripted(200, FakeTomTom.OkBody.Replace("\"frc\":\"FRC1\"", "\"frc\":\"{key}\"", StringComparison.Ordinal), Gzip: true, Headers: EchoHeaders),
            new Scripted(200, FakeTomTom.OkBody, DelaySeconds: 4),
            new Scripted(200, FakeTomTom.OkBody, DelaySeconds: 4));
        var logs = new LogCapture();
        // The client's 1 s timeout runs on a fake clock, moved past it once the fake holds the timed-out request.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = TomTomHarness.Create(fake.BaseUrl, key: Canary, time: clock, logs: logs, configure: s => s.AddHttpClient("probe"));
        await using var refusedHarness = TomTomHarness.Create(new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}"), key: Canary, logs: logs);
        var retry = new RetryGate(grant: true).Reserve;

        // Act
        var answers = new List<ProviderAnswer>
        {
            await harness.Provider.GetFlowAsync(Point, retry, default), // 400 echoing URL and key
            await harness.Provider.GetFlowAsync(Point, retry, default), // 500, retried: 503
            await harness.Provider.GetFlowAsync(Point, retry, default), // 403
            await harness.Provider.GetFlowAsync(Point, retry, default), // 429
            await harness.Provider.GetFlowAsync(Point, retry, default), // 200, not JSON
            await harness.Provider.GetFlowAsync(Point, retry, default), // 200 gzip, key in a field
        };
        var timingOut = harness.Provider.GetFlowAsync(Point, null, default);
        await fake.RequestsArrivedAsync(8);
        clock.Advance(TimeSpan.FromSeconds(1));
        answers.Add(await timingOut); // timeout
        answers.Add(await refusedHarness.Provider.GetFlowAsync(Point, retry, default)); // connection refused, twice
        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var cancelled = await Record.ExceptionAsync(() => harness.Provider.GetFlowAsync(Point, retry, soon.Token));
        // A client without RemoveAllLoggers, to show that HttpClient's own log categories are captured here.
        using var probe = await harness.Services.GetRequiredService<IHttpClientFactory>().CreateClient("probe").GetAsync(new Uri(fake.BaseUrl, "/probe"));

        // Assert: the key was really sent (the test is not vacuous) …
        Assert.Equal(10, fake.RequestCount);
        Assert.All(fake.Requests.Where(r => r.Path != "/probe"), r => Assert.Equal(Canary, r.Key));
        Assert.Equal(
            [ProviderStatus.HttpError, ProviderStatus.HttpError, ProviderStatus.AuthError, ProviderStatus.RateLimited,
             ProviderStatus.ParseError, ProviderStatus.Ok, ProviderStatus.NetworkError, ProviderStatus.NetworkError],
            answers.Select(a => a.Status));
        Assert.Equal(2, answers[1].RequestsSent);
        Assert.Equal(2, answers[7].RequestsSent);
        Assert.IsAssignableFrom<OperationCanceledException>(cancelled);

        // … echoed back, and removed from everything kept.
        foreach (var answer in answers)
        {
            Assert.DoesNotContain(Canary, JsonSerializer.Serialize(answer));
            if (answer.Body is not null) Assert.DoesNotContain(Canary, Encoding.UTF8.GetString(answer.Body));
        }
        Assert.Contains("key=***", Encoding.UTF8.GetString(answers[0].Body!));
        Assert.Equal("***", answers[0].Attempts[0].ResponseTrackingId);
        Assert.Equal("http_400", answers[0].Detail); // the echoed "code" was the key: not kept as a code
        Assert.Equal("***", answers[5].Pieces.Single().FunctionalRoadClass);
        Assert.DoesNotContain(Canary, cancelled!.ToString());

        // … and from every log line of every category, scopes and exceptions included.
        var lines = logs.Lines;
        Assert.Contains(lines, l => l.Category.StartsWith("System.Net.Http.HttpClient.probe", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Category == typeof(TomTomClient).FullName && l.Text.Contains("key=***", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Category.StartsWith("System.Net.Http.HttpClient.TomTomClient", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.DoesNotContain(Canary, l.Text));
    }
}
