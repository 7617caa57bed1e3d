using System.Text.Json.Nodes;
using Ayalon.Core.Impact;
using static Ayalon.Tests.Physics.PhysicsTestData;

namespace Ayalon.Tests.Physics;

/// <summary>The constants file, the volume profile loader and the physical-impact arithmetic.</summary>
[Trait("Category", "Unit")]
public class ConfigurationFileTests
{
    private static string ShippedProfilePath => Path.Combine(AppContext.BaseDirectory, "Impact", "volume-profile.synthetic-demo.json");
    private static string ShippedConstantsPath => Path.Combine(AppContext.BaseDirectory, "Impact", "impact-constants.v1.json");

    [Fact]
    public void Shipped_constants_hold_the_documented_values()
    {
        var c = ImpactConstants.LoadFile(ShippedConstantsPath);

        Assert.Equal(Constants, c);
        Assert.Equal("2", c.MethodologyVersion);
        Assert.Equal((0.8, 1.5, 2.31, 62.5), (c.IdleFuelLitresPerHour, c.ExcessFuelFactor, c.Co2KgPerLitre, c.ValueOfTimeIlsPerHour));
        Assert.Equal((4.0, 12.0), (c.FuelPriceMinIlsPerLitre, c.FuelPriceMaxIlsPerLitre));
        Assert.Equal((0.25, 0.8, 600.0), (c.CongestionThreshold, c.CoverageThreshold, c.MaxHoldSeconds));
        Assert.Equal((10.0, 20.0, 35.0, 0.7), (c.BinLengthMeters, c.MatchDistanceMeters, c.BearingToleranceDeg, c.ConfidenceFloor));
        Assert.Equal("Asia/Jerusalem", c.LocalTimeZoneId);
    }

    [Theory]
    [InlineData("methodologyVersion", null, "'methodologyVersion' is missing")]
    [InlineData("matching.binLengthMeters", "-10", "'matching.binLengthMeters' must be positive")]
    [InlineData("matching.confidenceFloor", "1.5", "'matching.confidenceFloor' must be within [0, 1]")]
    [InlineData("fuel.co2KgPerLitre", "\"2.31\"", "'fuel.co2KgPerLitre' must be a number")]
    [InlineData("integration.localTimeZone", "\"Mars/Olympus\"", "time zone 'Mars/Olympus'")]
    public void A_bad_constants_file_is_refused_naming_the_field(string path, string? value, string expected)
    {
        var json = Edit(File.ReadAllText(ShippedConstantsPath), path, value);

        var ex = Assert.Throws<ImpactConfigurationException>(() => ImpactConstants.Load(StepHoldIntegrationTests.Json(json), "broken.json"));

        Assert.Contains("broken.json", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Shipped_demo_profile_loads_and_says_it_is_not_measured()
    {
        var p = VolumeProfile.LoadFile(ShippedProfilePath);

        Assert.True(p.IsSynthetic);
        Assert.Equal(PhysicalImpact.SyntheticLabel, p.Source);
        Assert.Equal(["northbound", "southbound"], p.Directions.Order());
        Assert.Equal([DayOfWeek.Friday, DayOfWeek.Saturday], p.WeekendDays);
        Assert.NotEqual(p.VehiclesPerHour("northbound", DayOfWeek.Sunday, 8), p.VehiclesPerHour("northbound", DayOfWeek.Saturday, 8));
    }

    [Theory]
    [InlineData("source", "\"\"", "'source' is missing or empty")]
    [InlineData("citation", null, "'citation' is missing or empty")]
    [InlineData("timeZone", "\"Nowhere/Town\"", "'timeZone' 'Nowhere/Town'")]
    [InlineData("weekendDays", "[\"Funday\"]", "not a day name")]
    [InlineData("directions.northbound.weekday", "[1,2,3]", "has 3 values; 24 are needed")]
    [InlineData("directions.southbound.weekend", "[-1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]", "'directions.southbound.weekend'[0] is negative")]
    [InlineData("directions", "{}", "'directions' is empty")]
    public void A_bad_volume_profile_is_refused_with_a_clear_message(string path, string? value, string expected)
    {
        var json = Edit(File.ReadAllText(ShippedProfilePath), path, value);

        var ex = Assert.Throws<ImpactConfigurationException>(() => VolumeProfile.Load(StepHoldIntegrationTests.Json(json), "profile.json"));

        Assert.Contains("profile.json", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Physical_impact_follows_the_documented_formulas()
    {
        var price = FuelPrice.Create(7.5, "test price list", "2026-11", Constants);

        var p = PhysicalImpact.From(10, null, Constants, price);

        Assert.True(p.Available);
        Assert.Equal(12.0, p.FuelLitres!.Value, 1e-9);          // 10 vh × 0.8 L/h × 1.5
        Assert.Equal(27.72, p.Co2Kg!.Value, 1e-9);              // 12 L × 2.31 kg/L
        Assert.Equal(90.0, p.FuelCostIls!.Value, 1e-9);         // 12 L × 7.5 ₪/L
        Assert.Equal(625.0, p.TimeValueIls!.Value, 1e-9);       // 10 vh × 62.5 ₪/h
        Assert.Equal("2", p.MethodologyVersion);
    }

    [Fact]
    public void Without_vehicle_hours_every_physical_figure_is_unavailable_with_the_reason()
    {
        var p = PhysicalImpact.From(null, "no volume profile is configured", Constants);

        Assert.False(p.Available);
        Assert.Equal("no volume profile is configured", p.UnavailableReason);
        Assert.Null(p.FuelLitres);
        Assert.Null(p.Co2Kg);
        Assert.Null(p.TimeValueIls);
    }

    [Fact]
    public void Without_a_fuel_price_only_the_fuel_cost_is_unavailable()
    {
        var p = PhysicalImpact.From(2, null, Constants);

        Assert.NotNull(p.Co2Kg);
        Assert.Null(p.FuelCostIls);
        Assert.Contains("fuel price", p.FuelCostUnavailableReason);
    }

    [Theory]
    [InlineData(3.99, "src", "2026-11", "outside the valid range")]
    [InlineData(12.01, "src", "2026-11", "outside the valid range")]
    [InlineData(double.NaN, "src", "2026-11", "outside the valid range")]
    [InlineData(7.0, " ", "2026-11", "needs its source")]
    [InlineData(7.0, "src", "Nov 2026", "not yyyy-MM")]
    public void A_fuel_price_outside_4_to_12_or_without_provenance_is_refused(double price, string source, string month, string expected)
    {
        var ex = Assert.Throws<ImpactConfigurationException>(() => FuelPrice.Create(price, source, month, Constants));

        Assert.Contains(expected, ex.Message);
    }

    /// <summary>Set (or remove, when <paramref name="value"/> is null) a dotted path in a JSON document.</summary>
    private static string Edit(string json, string path, string? value)
    {
        var root = JsonNode.Parse(json)!;
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate(root, (node, p) => node[p]!);
        if (value is null) parent.AsObject().Remove(parts[^1]);
        else parent[parts[^1]] = JsonNode.Parse(value);
        return root.ToJsonString();
    }
}
