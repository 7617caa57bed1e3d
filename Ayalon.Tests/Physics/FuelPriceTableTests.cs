using System.Text;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.ReadModels;
using Ayalon.Core.Traffic;
using Microsoft.Extensions.Options;

namespace Ayalon.Tests.Physics;

/// <summary>
/// The shipped monthly fuel price table: the documented figures only, validated at load (a bad month refuses to
/// load, named), each local month priced by its own entry or else the latest earlier one (said so), the setting
/// overriding it.
/// </summary>
[Trait("Category", "Unit")]
public class FuelPriceTableTests
{
    private static readonly ImpactConstants Constants = ImpactConstants.Default;
    private static readonly FuelPriceTable Shipped = FuelPriceTable.LoadDefault(Constants);

    private static MemoryStream Json(string text) => new(Encoding.UTF8.GetBytes(text));

    private static string Table(params string[] entries) => "{ \"prices\": [" + string.Join(",", entries) + "] }";

    private static ImpactSettings Settings(ImpactOptions options) =>
        new(Options.Create(options), CorridorLoader.LoadDefault());

    [Fact]
    public void Shipped_table_holds_the_documented_months_only_with_their_sources()
    {
        Assert.Equal(["2026-01", "2026-02", "2026-03", "2026-07", "2026-08"], Shipped.Prices.Select(p => p.Month));
        Assert.Equal([6.85, 6.88, 7.02, 7.48, 8.09], Shipped.Prices.Select(p => p.IlsPerLitre));
        Assert.Equal("i24news", Shipped.Prices[0].Source);
        Assert.Contains("1001533352", Shipped.Prices[1].Source);
        Assert.Contains("690919", Shipped.Prices[2].Source);
        // Only the aggregator's figures are marked secondary.
        Assert.Equal([false, false, false, true, true], Shipped.Prices.Select(p => p.Secondary));
    }

    [Theory]
    [InlineData("2026-02", "2026-02", 6.88)]
    [InlineData("2026-05", "2026-03", 7.02)] // no entry: the latest earlier month
    [InlineData("2026-08", "2026-08", 8.09)]
    [InlineData("2026-11", "2026-08", 8.09)]
    public void A_month_takes_its_own_price_or_else_the_latest_earlier_one(string month, string priceMonth, double ilsPerLitre)
    {
        var price = Shipped.For(month)!;

        Assert.Equal(priceMonth, price.Month);
        Assert.Equal(ilsPerLitre, price.IlsPerLitre);
    }

    [Fact]
    public void A_month_before_the_table_has_no_price()
    {
        Assert.Null(Shipped.For("2025-12"));
    }

    [Theory]
    [InlineData("{\"month\":\"2026-03\",\"ilsPerLitre\":12.5,\"source\":\"s\"}", "month 2026-03", "outside the valid range")]
    [InlineData("{\"month\":\"2026-04\",\"ilsPerLitre\":3.5,\"source\":\"s\"}", "month 2026-04", "outside the valid range")]
    [InlineData("{\"month\":\"2026-05\",\"ilsPerLitre\":\"7\",\"source\":\"s\"}", "month 2026-05", "must be a number")]
    [InlineData("{\"month\":\"2026-06\",\"ilsPerLitre\":7.1,\"source\":\"\"}", "month 2026-06", "needs its source")]
    [InlineData("{\"month\":\"June 2026\",\"ilsPerLitre\":7.1,\"source\":\"s\"}", "month June 2026", "not yyyy-MM")]
    public void A_bad_entry_refuses_to_load_naming_its_month(string entry, string names, string problem)
    {
        var good = "{\"month\":\"2026-01\",\"ilsPerLitre\":6.85,\"source\":\"s\"}";

        var ex = Assert.Throws<ImpactConfigurationException>(() => FuelPriceTable.Load(Json(Table(good, entry)), "prices.json", Constants));

        Assert.Contains("prices.json", ex.Message);
        Assert.Contains(names, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void A_month_listed_twice_refuses_to_load()
    {
        var entry = "{\"month\":\"2026-01\",\"ilsPerLitre\":6.85,\"source\":\"s\"}";

        var ex = Assert.Throws<ImpactConfigurationException>(() => FuelPriceTable.Load(Json(Table(entry, entry)), "prices.json", Constants));

        Assert.Contains("2026-01 appears more than once", ex.Message);
    }

    [Fact]
    public void Hours_are_priced_by_their_local_month_not_the_utc_month()
    {
        var settings = Settings(new ImpactOptions());
        // 2026-01-31 22:30 UTC is already 1 February 00:30 in Asia/Jerusalem.
        var localDate = LocalTime.DateOf(new DateTimeOffset(2026, 1, 31, 22, 30, 0, TimeSpan.Zero), Constants.LocalTimeZone);

        var use = settings.FuelPriceFor(localDate)!;

        Assert.Equal("2026-02", use.ForMonth);
        Assert.Equal(6.88, use.Price.IlsPerLitre);
        Assert.Equal(FuelPriceUse.FromTable, use.Origin);
        Assert.Null(use.Note);
    }

    [Fact]
    public void A_month_without_an_entry_says_whose_price_it_uses()
    {
        var use = Settings(new ImpactOptions()).FuelPriceFor(new DateOnly(2026, 11, 29))!;

        Assert.Equal("2026-11", use.ForMonth);
        Assert.Equal("2026-08", use.Price.Month);
        Assert.True(use.Price.Secondary);
        Assert.Equal("price of 2026-08", use.Note);
    }

    [Fact]
    public void The_setting_overrides_the_table_for_every_month()
    {
        var settings = Settings(new ImpactOptions { FuelPriceIlsPerLitre = "7.5", FuelPriceSource = "operator", FuelPriceMonth = "2026-11" });

        var november = settings.FuelPriceFor(new DateOnly(2026, 11, 29))!;
        var february = settings.FuelPriceFor(new DateOnly(2026, 2, 10))!;

        Assert.Equal((7.5, "operator", FuelPriceUse.FromSetting, (string?)null), (november.Price.IlsPerLitre, november.Price.Source, november.Origin, november.Note));
        Assert.Equal(7.5, february.Price.IlsPerLitre);
        Assert.Equal("price of 2026-11", february.Note);
    }
}
