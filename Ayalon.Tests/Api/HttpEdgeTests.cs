using System.Net;
using Ayalon.Core.Api;
using Ayalon.DevHost.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Api;

/// <summary>HEAD, CORS scope and Vary, and the DevHost's function-key check.</summary>
[Trait("Category", "Integration")]
public class HttpEdgeTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData("/api/impact")]
    [InlineData("/api/impact/history")]
    [InlineData("/api/health")]
    [InlineData("/api/analytics")]
    [InlineData("/api/corridor")]
    [InlineData("/api/openapi.json")]
    public async Task HEAD_on_an_API_route_answers_like_GET_without_a_body(string path)
    {
        await using var api = await ApiHost.StartAsync(azurite);
        await api.RunCycleAsync();

        using var get = await api.Client.GetAsync(path);
        using var head = await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.ToString(), head.Content.Headers.ContentType?.ToString());
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.CacheControl?.ToString(), head.Headers.CacheControl?.ToString());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task With_CORS_configured_responses_vary_on_Origin_and_preflights_answer_only_on_public_API_routes()
    {
        await using var api = await ApiHost.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Cors:AllowedOrigins"] = "https://dash.example.org",
        });

        // Without an Origin, and from an origin not allowed: a cache must still know the answer depends on Origin.
        using (var plain = await api.Client.GetAsync("/api/impact"))
        {
            Assert.Contains("Origin", plain.Headers.Vary);
            Assert.False(plain.Headers.Contains("Access-Control-Allow-Origin"));
        }

        async Task<HttpResponseMessage> PreflightAsync(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, path);
            request.Headers.Add("Origin", "https://dash.example.org");
            request.Headers.Add("Access-Control-Request-Method", path.Contains("admin", StringComparison.Ordinal) ? "POST" : "GET");
            return await api.Client.SendAsync(request);
        }

        using (var ok = await PreflightAsync("/api/impact/history"))
        {
            Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
            Assert.Equal("https://dash.example.org", ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
        foreach (var path in new[] { "/api/admin/collect", "/api/no-such-endpoint", "/index.html" })
        {
            using var refused = await PreflightAsync(path);
            Assert.NotEqual(HttpStatusCode.NoContent, refused.StatusCode);
            Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"), path);
            Assert.False(refused.Headers.Contains("Access-Control-Allow-Methods"), path);
        }
    }

    [Fact]
    public async Task Without_CORS_configured_no_Vary_Origin_is_added()
    {
        await using var api = await ApiHost.StartAsync(azurite);
        using var response = await api.Client.GetAsync("/api/impact");
        Assert.DoesNotContain("Origin", response.Headers.Vary);
    }

    [Fact]
    public void The_CORS_routes_are_exactly_the_anonymous_GET_API_routes()
    {
        var routes = FunctionCatalog.HttpFunctions()
            .Where(f => f.AuthLevel == AuthorizationLevel.Anonymous && f.Route.StartsWith("api/", StringComparison.Ordinal) && f.Methods.Contains("get"))
            .Select(f => "/" + f.Route).Order(StringComparer.Ordinal);
        Assert.Equal(routes, ResponseHeaders.CorsRoutes.Order(StringComparer.Ordinal));
    }
}

[Trait("Category", "Unit")]
public class FunctionKeyGuardTests
{
    private static FunctionKeyGuard Guard(FakeTimeProvider clock) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DevHost:FunctionKey"] = "right-key" }).Build(), clock);

    private static DefaultHttpContext Request(string? key, string ip = "10.0.0.1")
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        if (key is not null) context.Request.Headers["x-functions-key"] = key;
        return context;
    }

    [Fact]
    public async Task The_right_key_passes_and_wrong_keys_of_any_length_fail()
    {
        var guard = Guard(new FakeTimeProvider());
        Assert.True(await guard.CheckAsync(Request("right-key")));
        foreach (var wrong in new[] { "right-kex", "right-key-and-more", "r", "" })
            Assert.False(await guard.CheckAsync(Request(wrong, "10.0.0." + wrong.Length)));
    }

    [Fact]
    public void Repeated_failures_from_one_client_are_delayed_more_each_time_and_the_window_forgets_them()
    {
        var clock = new FakeTimeProvider();
        var guard = Guard(clock);
        var client = IPAddress.Parse("10.0.0.9");

        var delays = Enumerable.Range(0, 16).Select(_ => guard.RecordFailure(client)).ToList();

        Assert.All(delays.Take(FunctionKeyGuard.FreeFailures), d => Assert.Equal(TimeSpan.Zero, d));
        Assert.Equal(FunctionKeyGuard.StepDelay, delays[FunctionKeyGuard.FreeFailures]);
        Assert.Equal(FunctionKeyGuard.StepDelay * 2, delays[FunctionKeyGuard.FreeFailures + 1]);
        Assert.Equal(FunctionKeyGuard.MaxDelay, delays[^1]);
        Assert.Equal(TimeSpan.Zero, guard.RecordFailure(IPAddress.Parse("10.0.0.10"))); // another client: its own count

        clock.Advance(FunctionKeyGuard.Window + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, guard.RecordFailure(client));
    }

    [Fact]
    public async Task A_delayed_refusal_waits_on_the_clock_before_answering()
    {
        var clock = new FakeTimeProvider();
        var guard = Guard(clock);
        for (var i = 0; i < FunctionKeyGuard.FreeFailures; i++) Assert.False(await guard.CheckAsync(Request("wrong")));

        var delayed = guard.CheckAsync(Request("wrong"));
        await Task.Delay(50);
        Assert.False(delayed.IsCompleted);
        clock.Advance(FunctionKeyGuard.StepDelay);
        Assert.False(await delayed);
    }
}
