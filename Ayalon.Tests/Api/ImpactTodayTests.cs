using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Ayalon.Tests.Api;

[Collection(HistoryCollection.Name)]
[Trait("Category", "Integration")]
public class ImpactTodayTests(HistoryFixture history)
{
    private ApiHost Api => history.Api;

    private static double? Num(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetDouble();

    [Fact]
    public async Task The_response_names_the_display_zone_and_each_sections_and_directions_congestion_class()
    {
        var impact = await Api.GetJsonAsync("/api/impact");

        Assert.Equal("Asia/Jerusalem", impact.GetProperty("displayTimeZone").GetString());
        var classes = new List<string>();
        foreach (var (items, observed) in new[] { ("sections", new[] { "current", "stale", "old" }), ("directions", new[] { "ok" }) })
        {
            foreach (var item in impact.GetProperty(items).EnumerateArray())
            {
                var expected = Ayalon.Core.Impact.CongestionClass.Of(observed.Contains(item.GetProperty("state").GetString()),
                    Num(item, "delaySeconds"), Num(item, "freeFlowTimeSeconds"), item.GetProperty("congested").GetBoolean(),
                    Ayalon.Core.Impact.ImpactConstants.Default);
                var actual = item.GetProperty("congestionClass").GetString()!;
                Assert.Equal(expected, actual);
                classes.Add(actual);
            }
        }
        // The fixture's observations are current: every item is classified, none left as "none".
        Assert.DoesNotContain("none", classes);
    }

    [Fact]
    public async Task Today_is_since_local_midnight_and_equals_the_step_hold_integral_of_the_observations()
    {
        var impact = await Api.GetJsonAsync("/api/impact");
        var today = impact.GetProperty("today");
        Assert.Equal("2026-11-25", today.GetProperty("localDate").GetString());
        Assert.Equal("Asia/Jerusalem", today.GetProperty("timeZone").GetString());
        Assert.Equal("2026-11-24T22:00:00.000Z", today.GetProperty("fromUtc").GetString());
        Assert.Equal("2026-11-25T10:00:00.000Z", today.GetProperty("toUtc").GetString());
        // Rollups up to the last observation plus its open hold (5 of its 10 minutes so far): no gap.
        Assert.Equal(12 * 3600, today.GetProperty("observedSeconds").GetDouble(), 0);
        Assert.Equal(1.0, today.GetProperty("coverage").GetDouble(), 3);

        // The same window at 5-minute grain is integrated from the observations themselves, open hold included.
        var fine = await Api.GetJsonAsync("/api/impact/history?granularity=5m&from=2026-11-24T22:00:00Z&to=2026-11-25T10:00:00Z");
        foreach (var d in today.GetProperty("byDirection").EnumerateArray())
        {
            var points = fine.GetProperty("series").EnumerateArray()
                .Single(s => s.GetProperty("key").GetString() == d.GetProperty("direction").GetString()).GetProperty("points").EnumerateArray().ToList();
            Assert.Equal(points.Sum(p => Num(p, "vehicleHours")!.Value), Num(d, "vehicleHours")!.Value, 2);
            Assert.Equal(12 * 3600, d.GetProperty("observedSeconds").GetDouble(), 0);
            Assert.NotNull(Num(d, "meanDelaySeconds"));
        }

        var physical = today.GetProperty("impact");
        Assert.True(physical.GetProperty("available").GetBoolean());
        Assert.True(physical.GetProperty("volumeIsSynthetic").GetBoolean());
        Assert.Equal("synthetic demo profile — not measured", physical.GetProperty("label").GetString());
        var vh = Num(physical, "vehicleHours")!.Value;
        Assert.Equal(today.GetProperty("byDirection").EnumerateArray().Sum(d => Num(d, "vehicleHours")!.Value), vh, 3);
        Assert.Equal(vh * 0.8 * 1.5, Num(physical, "fuelLitres")!.Value, 2);
        Assert.Equal(Num(physical, "fuelLitres")!.Value * 2.31, Num(physical, "co2Kg")!.Value, 2);
        Assert.Equal(vh * 62.5, Num(physical, "timeValueIls")!.Value, 1);
        // November has no entry in the shipped table: the latest earlier month's price (August) is used.
        Assert.Equal(Num(physical, "fuelLitres")!.Value * 8.09, Num(physical, "fuelCostIls")!.Value, 1);
        Assert.Equal(JsonValueKind.Null, physical.GetProperty("fuelCostUnavailableReason").ValueKind);
    }

    [Fact]
    public async Task Impact_carries_versions_sources_and_provenance()
    {
        var impact = await Api.GetJsonAsync("/api/impact");
        Assert.Equal("2026-11-25T10:00:00.000Z", impact.GetProperty("generatedAtUtc").GetString());
        Assert.Equal("2026-11-25T10:05:00.000Z", impact.GetProperty("nextCycleUtc").GetString());
        Assert.False(string.IsNullOrEmpty(impact.GetProperty("methodologyVersion").GetString()));
        Assert.False(string.IsNullOrEmpty(impact.GetProperty("constantsVersion").GetString()));
        Assert.Equal("healthy", impact.GetProperty("dataStatus").GetString());
        var traffic = impact.GetProperty("sources").GetProperty("traffic");
        Assert.Equal("here", traffic.GetProperty("provider").GetString()); // the simulator's HERE surface measured
        Assert.Equal("ok", traffic.GetProperty("status").GetString());
        Assert.Equal("ok", traffic.GetProperty("lastCycleStatus").GetString());
        Assert.Equal("2026-11-25T09:55:00.000Z", traffic.GetProperty("lastFetchUtc").GetString());
        var fuel = impact.GetProperty("sources").GetProperty("fuelPrice");
        Assert.Equal(8.09, fuel.GetProperty("ilsPerLitre").GetDouble());
        Assert.Equal("2026-08", fuel.GetProperty("month").GetString());
        Assert.Equal("2026-11", fuel.GetProperty("forMonth").GetString());
        Assert.Equal("price of 2026-08", fuel.GetProperty("note").GetString());
        Assert.Equal("table", fuel.GetProperty("origin").GetString());
        Assert.True(fuel.GetProperty("secondary").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(fuel.GetProperty("source").GetString()));
        Assert.True(impact.GetProperty("sources").GetProperty("volumeProfile").GetProperty("synthetic").GetBoolean());
        Assert.Equal("© OpenStreetMap contributors, ODbL 1.0", impact.GetProperty("sources").GetProperty("geometry").GetString());
        var provenance = impact.GetProperty("provenance");
        Assert.NotEmpty(provenance.GetProperty("trackingIds").EnumerateArray());
        Assert.Equal(traffic.GetProperty("lastCycleId").GetString(), provenance.GetProperty("lastCycleId").GetString());
        Assert.Equal("2026-11-25T09:55:00.000Z", provenance.GetProperty("newestObservationUtc").GetString());
        Assert.All(impact.GetProperty("sections").EnumerateArray(), s =>
        {
            Assert.Equal(300, s.GetProperty("ageSeconds").GetDouble());
            Assert.True(s.GetProperty("speedKmh").GetDouble() > 0);
            Assert.True(s.GetProperty("lengthMeters").GetDouble() > 0);
        });
    }

    [Theory]
    [InlineData("/api/impact")]
    [InlineData("/api/impact/history?granularity=hour")]
    [InlineData("/api/impact/history?format=csv")]
    [InlineData("/api/corridor")]
    public async Task ETag_and_If_None_Match_give_304_and_max_age_runs_to_the_next_cycle(string path)
    {
        using var first = await Api.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag!;
        Assert.False(etag.IsWeak);
        var cache = first.Headers.CacheControl!;
        Assert.True(cache.Public);
        // Now is 10:00:00Z and the schedule is every 5 minutes: the next cycle is 300 s away (also the cap).
        Assert.Equal(TimeSpan.FromSeconds(300), cache.MaxAge);

        foreach (var ifNoneMatch in new[] { etag.Tag, "W/" + etag.Tag, "\"other\", " + etag.Tag, "*" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            using var again = await Api.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(etag, again.Headers.ETag);
            Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        }

        using var changed = new HttpRequestMessage(HttpMethod.Get, path);
        changed.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"not-it\""));
        using var full = await Api.Client.SendAsync(changed);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await full.Content.ReadAsStringAsync());
    }
}
