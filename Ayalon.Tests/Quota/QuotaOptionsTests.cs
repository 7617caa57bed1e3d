using Ayalon.Core;
using Ayalon.Core.Quota;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ayalon.Tests.Quota;

/// <summary>The Quota section as the hosts bind it: defaults, per-provider overrides, and refusal at start. No I/O.</summary>
[Trait("Category", "Unit")]
public sealed class QuotaOptionsTests
{
    private static IConfiguration Config(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    /// <summary>The hosts' registration; <see cref="IStartupValidator"/> is what host start runs for ValidateOnStart.</summary>
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var config = Config(new Dictionary<string, string?>(settings) { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
        var services = new ServiceCollection();
        services.AddSingleton(config);
        services.AddLogging();
        services.AddAyalonCore(config);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void A_provider_override_replaces_only_what_it_sets_and_monthly_periods_are_paced_by_default()
    {
        using var sp = Services(new()
        {
            ["Quota:Limit"] = "2500",
            ["Quota:Providers:here:Limit"] = "5000",
            ["Quota:Providers:here:Period"] = "Month",
        });
        var options = sp.GetRequiredService<IOptions<QuotaOptions>>().Value;

        var here = options.For("here");
        var tomtom = options.For("tomtom");

        Assert.Equal(new ProviderQuota("here", 5000, QuotaPeriod.Month, Pacing: true, PacingBurst: 50, AlertThresholdPercent: 90), here);
        Assert.Equal(new ProviderQuota("tomtom", 2500, QuotaPeriod.Day, Pacing: false, PacingBurst: 25, AlertThresholdPercent: 90), tomtom);
        Assert.Equal(5000, options.For("HERE").Limit); // configuration keys are case-insensitive, so are provider names here
    }

    [Theory]
    [InlineData("Month", null, null, true)]
    [InlineData("Month", "false", null, false)]
    [InlineData("Day", null, null, false)]
    [InlineData("Day", "true", null, true)]
    [InlineData("Day", null, "true", true)]     // the section default turns it on for everyone …
    [InlineData("Month", "false", "true", false)] // … and a provider's own setting wins
    public void Pacing_is_on_for_monthly_periods_unless_a_setting_says_otherwise(string period, string? providerPacing, string? defaultPacing, bool expected)
    {
        using var sp = Services(new()
        {
            ["Quota:Pacing"] = defaultPacing,
            ["Quota:Providers:here:Period"] = period,
            ["Quota:Providers:here:Pacing"] = providerPacing,
        });

        Assert.Equal(expected, sp.GetRequiredService<IOptions<QuotaOptions>>().Value.For("here").Pacing);
    }

    [Theory]
    [InlineData(2000, 1.0, 20)]
    [InlineData(1000, 0.3, 3)]  // not the 2 a double would give (0.3 × 1000 / 100 = 2.999…)
    [InlineData(50, 1.0, 1)]    // at least one request, so the first request of a period is allowed
    [InlineData(2000, 0.0, 1)]
    [InlineData(0, 1.0, 1)]
    [InlineData(2000, 100.0, 2000)]
    public void Burst_is_a_percentage_of_the_limit_rounded_down_and_at_least_one(int limit, double percent, int expected) =>
        Assert.Equal(expected, QuotaPacing.BurstRequests(limit, percent));

    [Theory]
    [InlineData("Quota:Providers:here:Period", "Weekly")]
    [InlineData("Quota:Providers:here:Period", "7")]
    [InlineData("Quota:Providers:here:Limit", "lots")]
    [InlineData("Quota:Providers:here:Pacing", "sometimes")]
    [InlineData("Quota:Providers:here:Limt", "5000")] // a misspelt key would otherwise be ignored
    [InlineData("Quota:Providers:here:Limit", "-1")]
    [InlineData("Quota:Providers:here:PacingBurstPercent", "101")]
    [InlineData("Quota:Period", "Fortnight")]
    [InlineData("Quota:Limit", "-5")]
    [InlineData("Quota:PacingBurstPercent", "-1")]
    public void A_bad_quota_setting_stops_the_host_naming_the_setting(string key, string value)
    {
        using var sp = Services(new() { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => sp.GetRequiredService<IStartupValidator>().Validate());

        // The binder's own error (an unknown enum name) or the validator's: either way the operator reads the key.
        var message = error is OptionsValidationException v ? string.Join(" ", v.Failures) : error.Message;
        Assert.Contains(key, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Good_quota_settings_pass_the_start_check()
    {
        using var sp = Services(new()
        {
            ["Quota:Providers:here:Limit"] = "30000",
            ["Quota:Providers:here:Period"] = "month",
            ["Quota:Providers:tomtom:Pacing"] = "true",
            ["Quota:PacingBurstPercent"] = "0.5",
        });

        sp.GetRequiredService<IStartupValidator>().Validate();
        var options = sp.GetRequiredService<IOptions<QuotaOptions>>().Value;
        Assert.Equal(QuotaPeriod.Month, options.For("here").Period);
        Assert.Equal(150, options.For("here").PacingBurst);
    }

    [Theory]
    [InlineData(null, new[] { "here", "tomtom" })]
    [InlineData("tomtom", new[] { "tomtom" })]
    [InlineData(" TomTom , here,tomtom ", new[] { "tomtom", "here" })]
    public void Provider_order_comes_from_traffic_providers(string? setting, string[] expected) =>
        Assert.Equal(expected, QuotaOptions.ProviderOrder(Config(new() { ["Traffic:Providers"] = setting })));
}
