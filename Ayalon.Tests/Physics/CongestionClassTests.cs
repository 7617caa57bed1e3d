using System.Text.RegularExpressions;
using Ayalon.Core.Impact;

namespace Ayalon.Tests.Physics;

/// <summary>The congestion class /api/impact sends, from the constants file's thresholds; the dashboard keeps no copy.</summary>
[Trait("Category", "Unit")]
public sealed partial class CongestionClassTests
{
    private static readonly ImpactConstants Constants = ImpactConstants.Default;

    [Theory]
    [InlineData(0.0, 100.0, false, "free")]
    [InlineData(0.5, 100.0, false, "free")]
    [InlineData(10.0, 100.0, false, "slow")]
    [InlineData(25.0, 100.0, false, "slow")] // exactly the threshold is not above it
    [InlineData(25.1, 100.0, false, "congested")]
    [InlineData(10.0, 100.0, true, "congested")] // the stored flag wins over the rounded figures
    [InlineData(75.0, 100.0, true, "congested")]
    [InlineData(75.1, 100.0, true, "heavy")]
    public void The_class_follows_the_constants_thresholds_on_delay_over_free_flow(double delaySeconds, double freeFlowSeconds, bool congested, string expected)
    {
        Assert.Equal(expected, CongestionClass.Of(true, delaySeconds, freeFlowSeconds, congested, Constants));
    }

    [Theory]
    [InlineData(false, 30.0, 100.0)]
    [InlineData(true, null, 100.0)]
    [InlineData(true, 30.0, null)]
    [InlineData(true, 30.0, 0.0)]
    public void Without_a_valid_observation_the_class_is_none(bool observed, double? delaySeconds, double? freeFlowSeconds)
    {
        Assert.Equal(CongestionClass.None, CongestionClass.Of(observed, delaySeconds, freeFlowSeconds, false, Constants));
    }

    [Fact]
    public void The_shipped_constants_carry_both_thresholds_and_the_display_zone()
    {
        Assert.Equal((0.25, 0.75, "Asia/Jerusalem"), (Constants.CongestionThreshold, Constants.HeavyCongestionThreshold, Constants.LocalTimeZoneId));
    }

    [Fact]
    public void A_heavy_threshold_not_above_the_congestion_threshold_is_refused()
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Impact", "impact-constants.v1.json"))
            .Replace("\"heavyCongestionThreshold\": 0.75", "\"heavyCongestionThreshold\": 0.2", StringComparison.Ordinal);

        var ex = Assert.Throws<ImpactConfigurationException>(() => ImpactConstants.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), "edited.json"));

        Assert.Contains("heavyCongestionThreshold", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The dashboard's scripts hold neither the thresholds nor the zone: both come from /api/impact.</summary>
    [Fact]
    public void The_dashboard_scripts_repeat_neither_the_thresholds_nor_the_time_zone()
    {
        var scripts = Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "wwwroot", "js"), "*.js", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(scripts);
        var offenders = scripts
            .Select(path => (path, text: File.ReadAllText(path)))
            .Where(s => s.text.Contains("Asia/Jerusalem", StringComparison.Ordinal) || Threshold().IsMatch(s.text))
            .Select(s => Path.GetFileName(s.path))
            .ToList();
        Assert.Empty(offenders);
    }

    // A ratio compared with 0.25 or 0.75 (e.g. "ratio > 0.75").
    [GeneratedRegex(@"[<>]=?\s*0?\.(25|75)\b")]
    private static partial Regex Threshold();
}
