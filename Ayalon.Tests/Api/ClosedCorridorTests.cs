using System.Net;
using System.Text.Json;
using Ayalon.DevHost.Simulator;

namespace Ayalon.Tests.Api;

/// <summary>A closure of the whole corridor is a measured state of the road: "closed", never "empty".</summary>
[Trait("Category", "Integration")]
public class ClosedCorridorTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static async Task<(HttpStatusCode Code, JsonElement Body)> HealthAsync(ApiHost api)
    {
        using var response = await api.Client.GetAsync("/api/health");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    [Fact]
    public async Task A_closed_corridor_is_closed_with_200_while_fresh_and_ages_like_any_data()
    {
        await using var api = await ApiHost.StartAsync(azurite);
        await api.RunCycleAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(5));
        api.Host.Simulator!.Faults.Set(FaultKind.RoadClosure);
        var closed = await api.RunCycleAsync();
        Assert.Equal("ok", closed.Status); // a closure is measured, not a failed collection

        var (code, h) = await HealthAsync(api);
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("closed", h.GetProperty("status").GetString());
        Assert.Equal(0, h.GetProperty("dataAgeSeconds").GetDouble());
        var freshness = h.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "freshness");
        Assert.Equal("ok", freshness.GetProperty("status").GetString());
        Assert.Contains("road closure", freshness.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var impact = await api.GetJsonAsync("/api/impact");
        Assert.Equal("closed", impact.GetProperty("dataStatus").GetString());
        Assert.All(impact.GetProperty("sections").EnumerateArray(), s => Assert.Equal("closed", s.GetProperty("state").GetString()));

        // A closure that is no longer being confirmed goes stale like any other observation.
        api.Clock.Advance(TimeSpan.FromMinutes(31));
        var (oldCode, old) = await HealthAsync(api);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, oldCode);
        Assert.Equal("stale", old.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_closed_direction_beside_a_measured_one_stays_healthy()
    {
        await using var api = await ApiHost.StartAsync(azurite);
        await api.RunCycleAsync();

        var (code, h) = await HealthAsync(api);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("healthy", h.GetProperty("status").GetString());
    }
}
