using System.Net;
using Ayalon.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Ayalon.Tests.Api;

[Collection(HistoryCollection.Name)]
[Trait("Category", "Integration")]
public class SecurityHeaderTests(HistoryFixture history)
{
    [Theory]
    [InlineData("/api/impact")]
    [InlineData("/api/impact/history?format=csv")]
    [InlineData("/api/health")]
    [InlineData("/api/analytics")]
    [InlineData("/api/corridor")]
    [InlineData("/api/openapi.json")]
    [InlineData("/api/impact?bad=1")]
    [InlineData("/api/nothing")]
    [InlineData("/")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        using var response = await history.Api.Client.GetAsync(path);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.StartsWith("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        foreach (var (name, value) in ResponseHeaders.SecurityHeaders)
        {
            var sent = response.Headers.TryGetValues(name, out var v) ? v : response.Content.Headers.TryGetValues(name, out var c) ? c : [];
            Assert.Equal(value, Assert.Single(sent));
        }
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin")); // no Origin, no CORS
    }
}

[Trait("Category", "Integration")]
public class CorsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Only_configured_origins_get_CORS_headers_and_preflight_answers()
    {
        await using var api = await ApiHost.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Cors:AllowedOrigins"] = "https://dash.example.org, https://other.example.org/",
        });

        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/api/impact");
        allowed.Headers.Add("Origin", "https://other.example.org");
        using var yes = await api.Client.SendAsync(allowed);
        Assert.Equal("https://other.example.org", yes.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("ETag", yes.Headers.GetValues("Access-Control-Expose-Headers").Single());

        using var refused = new HttpRequestMessage(HttpMethod.Get, "/api/impact");
        refused.Headers.Add("Origin", "https://evil.example.com");
        using var no = await api.Client.SendAsync(refused);
        Assert.Equal(HttpStatusCode.OK, no.StatusCode);
        Assert.False(no.Headers.Contains("Access-Control-Allow-Origin"));

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/impact/history");
        preflight.Headers.Add("Origin", "https://dash.example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "if-none-match");
        using var pre = await api.Client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, pre.StatusCode);
        Assert.Contains("GET", pre.Headers.GetValues("Access-Control-Allow-Methods").Single());
    }
}

[Trait("Category", "Integration")]
public class DashboardFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ayalon-www").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<HttpResponse> ExecuteAsync(IActionResult result, HttpContext context)
    {
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return context.Response;
    }

    private static DefaultHttpContext Context(string path, string? ifNoneMatch = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        if (ifNoneMatch is not null) context.Request.Headers.IfNoneMatch = ifNoneMatch;
        context.Response.Body = new MemoryStream();
        return context;
    }

    [Fact]
    public async Task Root_is_index_html_with_an_ETag_and_a_revalidation_gives_304()
    {
        await File.WriteAllTextAsync(Path.Combine(_root, "index.html"), "<!doctype html><title>x</title>");
        var files = new DashboardFiles(_root);

        var context = Context("/");
        var response = await ExecuteAsync(files.Serve(context.Request, "/"), context);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.ContentType);
        Assert.Equal("no-cache", response.Headers.CacheControl.ToString());
        var etag = response.Headers.ETag.ToString();

        var again = Context("/", etag);
        Assert.Equal(304, (await ExecuteAsync(files.Serve(again.Request, "/"), again)).StatusCode);
    }

    [Theory]
    [InlineData("/../secret.txt")]
    [InlineData("/%2e%2e/secret.txt")]
    [InlineData("/missing.js")]
    [InlineData("/api/unknown")]
    [InlineData("/C:/windows/win.ini")]
    public async Task Paths_outside_wwwroot_missing_files_and_api_paths_are_the_json_404(string path)
    {
        await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(_root)!, "secret.txt"), "no");
        var files = new DashboardFiles(_root);
        var context = Context(path);
        var response = await ExecuteAsync(files.Serve(context.Request, Uri.UnescapeDataString(path)), context);
        Assert.Equal(404, response.StatusCode);
        Assert.StartsWith("application/json", response.ContentType);
    }
}
