using Ayalon.Core.Impact;
using static Ayalon.Tests.Physics.PhysicsTestData;

namespace Ayalon.Tests.Physics;

/// <summary>Properties of the per-cycle delay that must hold for any speeds.</summary>
[Trait("Category", "Unit")]
public class DelayPropertyTests
{
    private static readonly DateTimeOffset At = new(2026, 9, 15, 9, 40, 0, TimeSpan.Zero);

    private static SectionObservation Observe(double speedKmh, double freeFlowKmh, string sectionId = NorthLaGuardiaArlozorov) =>
        Calculator.ComputeCycle(Matcher, [AlongSection(sectionId, speedKmh, freeFlowKmh)], At).Section(sectionId);

    [Theory]
    [InlineData(94, 94)]
    [InlineData(100, 94)]
    [InlineData(130, 90)]
    [InlineData(1, 1)]
    public void Delay_is_zero_when_speed_is_at_or_above_free_flow(double speed, double freeFlow)
    {
        var s = Observe(speed, freeFlow);

        Assert.Equal(0.0, s.DelaySeconds);
        Assert.False(s.Congested);
    }

    [Theory]
    [InlineData(93, 94)]
    [InlineData(65, 94)]
    [InlineData(5, 120)]
    public void Delay_is_positive_when_speed_is_below_free_flow_on_every_covered_bin(double speed, double freeFlow)
    {
        var s = Observe(speed, freeFlow);

        Assert.True(s.DelaySeconds > 0);
        Assert.Equal(s.LengthMeters / Units.KmhToMetersPerSecond(speed) - s.LengthMeters / Units.KmhToMetersPerSecond(freeFlow),
            s.DelaySeconds!.Value, 1e-6);
    }

    [Fact]
    public void Delay_is_never_negative_and_grows_as_speed_falls()
    {
        var speeds = Enumerable.Range(1, 12).Select(i => 130.0 - 10 * i).ToList(); // 120 … 10 km/h
        var delays = speeds.Select(v => Observe(v, 90).DelaySeconds!.Value).ToList();

        Assert.All(delays, d => Assert.True(d >= 0));
        for (var i = 1; i < delays.Count; i++)
        {
            if (speeds[i] < 90) Assert.True(delays[i] > delays[i - 1], $"{speeds[i]} km/h should delay more than {speeds[i - 1]} km/h");
        }
    }

    [Fact]
    public void Slower_and_free_flow_pieces_on_one_section_add_delay_only_from_the_slow_bins()
    {
        // First half at free flow, the whole section also covered by a less confident slow piece:
        // bins on the first half take free flow, the rest take the slow piece.
        var fast = AlongSection(NorthLaGuardiaArlozorov, 90, 90, fraction: 0.5);
        var slow = AlongSection(NorthLaGuardiaArlozorov, 45, 90, confidence: 0.8);

        var s = Calculator.ComputeCycle(Matcher, [fast, slow], At).Section(NorthLaGuardiaArlozorov);
        var allSlow = Observe(45, 90);

        Assert.True(s.DelaySeconds > 0);
        Assert.InRange(s.DelaySeconds!.Value, 0.4 * allSlow.DelaySeconds!.Value, 0.6 * allSlow.DelaySeconds!.Value);
    }

    [Fact]
    public void A_bin_faster_than_free_flow_does_not_cancel_delay_on_a_slower_bin_of_the_same_section()
    {
        // First half of the section faster than free flow (wins its bins: higher confidence), the rest slower.
        // Chosen so the section-level T_obs − T_ff is negative: the old max(0, T_obs − T_ff) would report 0.
        const double fastKmh = 140, slowKmh = 80, freeFlowKmh = 90;
        var fast = AlongSection(NorthLaGuardiaArlozorov, fastKmh, freeFlowKmh, fraction: 0.5);
        var slow = AlongSection(NorthLaGuardiaArlozorov, slowKmh, freeFlowKmh, confidence: 0.8);

        var m = Matcher.Match([fast, slow]).Section(NorthLaGuardiaArlozorov);
        var s = Calculator.ComputeCycle(Matcher, [fast, slow], At).Section(NorthLaGuardiaArlozorov);

        Assert.Equal(ObservationState.Ok, s.State);
        Assert.Equal(1.0, m.Coverage);
        Assert.Equal(2, s.SourcePieceIds.Count);
        Assert.True(s.TravelTimeSeconds < s.FreeFlowTimeSeconds, "the fast half must outweigh the slow half in travel time");

        // The slow piece's length, recovered from T_obs = (L − L_slow)/v_fast + L_slow/v_slow.
        double vFast = Units.KmhToMetersPerSecond(fastKmh), vSlow = Units.KmhToMetersPerSecond(slowKmh);
        var slowLengthMeters = (m.ObservedTravelTimeSeconds - m.TimedLengthMeters / vFast) / (1 / vSlow - 1 / vFast);
        Assert.InRange(slowLengthMeters, 0.3 * s.LengthMeters, 0.7 * s.LengthMeters);
        var slowLostSeconds = slowLengthMeters / vSlow - slowLengthMeters / Units.KmhToMetersPerSecond(freeFlowKmh);

        Assert.True(s.DelaySeconds > 0);
        Assert.Equal(slowLostSeconds, s.DelaySeconds!.Value, 1e-6);
        Assert.True(s.DelaySeconds > s.TravelTimeSeconds - s.FreeFlowTimeSeconds);
    }

    [Theory]
    [InlineData(140, 90)] // faster + at free flow
    [InlineData(140, 100)] // faster + faster
    public void Delay_is_zero_when_every_covered_bin_is_at_or_above_free_flow_even_with_two_pieces(double fastKmh, double otherKmh)
    {
        var fast = AlongSection(NorthLaGuardiaArlozorov, fastKmh, 90, fraction: 0.5);
        var other = AlongSection(NorthLaGuardiaArlozorov, otherKmh, 90, confidence: 0.8);

        var s = Calculator.ComputeCycle(Matcher, [fast, other], At).Section(NorthLaGuardiaArlozorov);

        Assert.Equal(2, s.SourcePieceIds.Count);
        Assert.Equal(0.0, s.DelaySeconds);
        Assert.False(s.Congested);
    }

    [Fact]
    public void Delay_equals_travel_time_minus_free_flow_time_when_no_bin_is_faster_than_free_flow()
    {
        var atFreeFlow = AlongSection(NorthLaGuardiaArlozorov, 90, 90, fraction: 0.5);
        var slow = AlongSection(NorthLaGuardiaArlozorov, 45, 90, confidence: 0.8);

        var s = Calculator.ComputeCycle(Matcher, [atFreeFlow, slow], At).Section(NorthLaGuardiaArlozorov);

        Assert.Equal(s.TravelTimeSeconds!.Value - s.FreeFlowTimeSeconds!.Value, s.DelaySeconds!.Value, 1e-6);
    }

    [Theory]
    [InlineData(72, 90, false)] // d/T_ff = 0.25 exactly: not above the threshold
    [InlineData(71, 90, true)]
    [InlineData(80, 90, false)]
    public void Congested_means_delay_above_a_quarter_of_free_flow_time(double speed, double freeFlow, bool congested)
    {
        Assert.Equal(congested, Observe(speed, freeFlow).Congested);
    }
}
