using System.Text.Json;

namespace Ayalon.Tests.Api;

/// <summary>/api/impact prices today's hours with the fuel price of today's local month from the shipped table.</summary>
[Trait("Category", "Integration")]
public class ImpactFuelPriceTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Impact_shows_the_fuel_price_of_todays_local_month_with_its_month_and_source()
    {
        await using var api = await ApiHost.StartAsync(azurite, new DateTimeOffset(2026, 2, 10, 8, 0, 0, TimeSpan.Zero));
        await api.RunCyclesAsync(3, TimeSpan.FromMinutes(5));

        var impact = await api.GetJsonAsync("/api/impact");

        var fuel = impact.GetProperty("sources").GetProperty("fuelPrice");
        Assert.Equal(6.88, fuel.GetProperty("ilsPerLitre").GetDouble());
        Assert.Equal("2026-02", fuel.GetProperty("month").GetString());
        Assert.Equal("2026-02", fuel.GetProperty("forMonth").GetString());
        Assert.Contains("Globes", fuel.GetProperty("source").GetString());
        Assert.Equal("table", fuel.GetProperty("origin").GetString());
        Assert.False(fuel.GetProperty("secondary").GetBoolean());
        Assert.Equal(JsonValueKind.Null, fuel.GetProperty("note").ValueKind);

        var physical = impact.GetProperty("today").GetProperty("impact");
        Assert.True(physical.GetProperty("available").GetBoolean());
        var litres = physical.GetProperty("fuelLitres").GetDouble();
        Assert.True(litres > 0);
        Assert.Equal(litres * 6.88, physical.GetProperty("fuelCostIls").GetDouble(), 1);
    }
}
