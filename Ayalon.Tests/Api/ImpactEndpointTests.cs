using System.Net;
using System.Text.Json;

namespace Ayalon.Tests.Api;

[Trait("Category", "Integration")]
public class ImpactEndpointTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Impact_after_cycles_shows_every_section_current_and_directions_summed()
    {
        await using var api = await ApiHost.StartAsync(azurite);
        await api.RunCyclesAsync(12, TimeSpan.FromMinutes(5));
        await api.RunCycleAsync();

        var impact = await api.GetJsonAsync("/api/impact");
        Assert.Equal("healthy", impact.GetProperty("dataStatus").GetString());
        var sections = impact.GetProperty("sections").EnumerateArray().ToList();
        Assert.Equal(6, sections.Count);
        Assert.All(sections, s => Assert.Equal("current", s.GetProperty("state").GetString()));
        foreach (var d in impact.GetProperty("directions").EnumerateArray())
        {
            Assert.Equal("ok", d.GetProperty("state").GetString());
            var mine = sections.Where(s => s.GetProperty("direction").GetString() == d.GetProperty("direction").GetString()).ToList();
            Assert.Equal(3, mine.Count);
            Assert.Equal(mine.Sum(s => s.GetProperty("delaySeconds").GetDouble()), d.GetProperty("delaySeconds").GetDouble(), 2);
        }
    }
}
