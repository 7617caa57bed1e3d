using System.Net;
using System.Text.Json;

namespace Ayalon.Tests.Api;

[Collection(HistoryCollection.Name)]
[Trait("Category", "Integration")]
public class BadInputTests(HistoryFixture history)
{

    public static TheoryData<string, string> Cases => new()
    {
        // path and query → a fragment the message must contain
        { "/api/impact/history?from=yesterday", "'from'" },
        { "/api/impact/history?from=2026-13-01T00:00:00Z", "'from'" },
        { "/api/impact/history?from=2026-11-24T10:00:00", "'from'" },                      // no zone: refused, not guessed
        { "/api/impact/history?to=24/11/2026", "'to'" },
        { "/api/impact/history?from=", "'from' is empty" },
        { "/api/impact/history?from=0001-01-01", "years 2000" },
        { "/api/impact/history?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", "must be before" },
        { "/api/impact/history?from=2026-11-24T00:00:00Z&to=2026-11-24T00:00:00Z", "must be before" },
        { "/api/impact/history?granularity=minute", "allowed: 5m, hour, day" },
        { "/api/impact/history?granularity=HOUR", "'granularity'" },
        { "/api/impact/history?granularity=5m&from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z", "serves at most 2 days; use granularity=hour" },
        { "/api/impact/history?from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z", "at most 90 days" },
        { "/api/impact/history?granularity=day&from=2020-01-01&to=2026-11-01", "at most 400 days" },
        { "/api/impact/history?section=nowhere", "unknown section" },
        { "/api/impact/history?section=%27%20OR%201%3D1%20--", "unknown section" },
        { "/api/impact/history?section=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "unknown section" },
        { "/api/impact/history?section=" + "x%00y", "unknown section" },
        { "/api/impact/history?direction=east", "'direction'" },
        { "/api/impact/history?direction=northbound&direction=southbound", "given 2 times" },
        { "/api/impact/history?format=xml", "allowed: json, csv" },
        { "/api/impact/history?granularity=hour&granularity=day", "given 2 times" },
        { "/api/impact/history?from=2026-11-24T00:00:00Z&from=2026-11-23T00:00:00Z", "given 2 times" },
        { "/api/impact/history?foo=bar", "unknown parameter 'foo'" },
        { "/api/impact/history?FROM=2026-11-24T00:00:00Z", "unknown parameter 'FROM'" },
        { "/api/impact?callback=x", "unknown parameter 'callback'" },
        { "/api/health?verbose=1", "unknown parameter 'verbose'" },
        { "/api/corridor?v=2", "unknown parameter 'v'" },
        { "/api/analytics?window=1y", "allowed: 24h, 7d, 30d" },
        { "/api/analytics?window=24h&window=7d", "given 2 times" },
        { "/api/analytics?window=%27%3B%20DROP%20TABLE%20cycles%3B--", "'window'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_400_invalid_input_naming_what_was_wrong(string path, string expected)
    {
        using var response = await history.Api.Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        using var doc = JsonDocument.Parse(body);
        var e = doc.RootElement;
        Assert.Equal("invalid_input", e.GetProperty("error").GetString());
        Assert.Contains(expected, e.GetProperty("message").GetString());
        Assert.False(string.IsNullOrEmpty(e.GetProperty("traceId").GetString()));
        Assert.Equal(["error", "message", "traceId"], e.EnumerateObject().Select(p => p.Name).Order().ToArray());
        Assert.DoesNotContain("Exception", body);
        Assert.DoesNotContain("<script>", body);
        Assert.DoesNotContain(" at Ayalon", body);
    }

    [Fact]
    public async Task A_section_outside_the_chosen_direction_is_refused()
    {
        var corridor = await history.Api.GetJsonAsync("/api/corridor");
        var s = corridor.GetProperty("sections")[0];
        var other = corridor.GetProperty("sections").EnumerateArray()
            .First(x => x.GetProperty("direction").GetString() != s.GetProperty("direction").GetString()).GetProperty("direction").GetString();
        using var response = await history.Api.Client.GetAsync($"/api/impact/history?section={s.GetProperty("sectionId").GetString()}&direction={other}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("runs", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_api_paths_get_the_json_404()
    {
        using var response = await history.Api.Client.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("not_found", doc.RootElement.GetProperty("error").GetString());
    }
}
