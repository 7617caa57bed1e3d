using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using static Ayalon.Tests.Physics.PhysicsTestData;

namespace Ayalon.Tests.Physics;

/// <summary>The bin matching rule (docs/METHODOLOGY.md §2): distance, bearing, confidence, overlaps, duplicates, closures.</summary>
[Trait("Category", "Unit")]
public class MatchingRuleTests
{
    private static readonly DateTimeOffset At = new(2026, 9, 15, 9, 40, 0, TimeSpan.Zero);

    public static TheoryData<string> AllSections => new(Corridor.Sections.Select(s => s.Id));

    [Theory]
    [MemberData(nameof(AllSections))]
    public void A_piece_on_the_section_itself_covers_it_fully(string sectionId)
    {
        var match = Matcher.Match([AlongSection(sectionId, 80, 90)]);

        var s = match.Section(sectionId);
        Assert.Equal(1.0, s.Coverage);
        Assert.Equal(s.LengthMeters, s.CoveredLengthMeters, 1e-6);
    }

    [Theory]
    [MemberData(nameof(AllSections))]
    public void A_reversed_polyline_the_opposite_carriageway_never_matches(string sectionId)
    {
        var reversed = AlongSection(sectionId, 80, 90, reversed: true);

        var match = Matcher.Match([reversed]);

        Assert.All(match.Sections, s => Assert.Equal(0, s.MatchedBinCount));
        Assert.Equal(PieceMatchStatus.Unmatched, match.Pieces.Single().Status);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(12, 1.0)]
    [InlineData(18, 1.0)]
    [InlineData(30, 0.0)]
    [InlineData(60, 0.0)]
    public void A_parallel_piece_matches_only_within_20_metres(double offsetEastMeters, double expectedCoverage)
    {
        // The section runs ~24° east of north, so an eastward shift puts it cos(24°)·offset away (18 m → 16.4 m).
        var piece = AlongSection(NorthLaGuardiaArlozorov, 80, 90, offsetEastMeters: offsetEastMeters);

        var s = Matcher.Match([piece]).Section(NorthLaGuardiaArlozorov);

        Assert.Equal(expectedCoverage, s.Coverage, 0.02);
    }

    [Fact]
    public void A_crossing_road_at_right_angles_takes_no_bins_even_where_it_passes_within_20_metres()
    {
        var section = Corridor.Find(NorthLaGuardiaArlozorov)!;
        var mid = section.Midpoint;
        var halfDeg = 200 / (Math.PI / 180 * Geo.EarthRadiusMeters);
        var bearing = Geo.ToRadians(section.MeanBearingDeg + 90);
        GeoPoint Offset(double k) => new(mid.LatitudeDeg + k * halfDeg * Math.Cos(bearing),
            mid.LongitudeDeg + k * halfDeg * Math.Sin(bearing) / Math.Cos(Geo.ToRadians(mid.LatitudeDeg)));
        var crossing = Piece([Offset(-1), Offset(1)], 50, 60);

        var match = Matcher.Match([crossing]);

        Assert.All(match.Sections, s => Assert.Equal(0, s.MatchedBinCount));
    }

    [Theory]
    [InlineData(0.69, 0.7, true)]
    [InlineData(0.5, 0.7, true)]
    [InlineData(0.7, 0.7, false)]
    [InlineData(0.5, 0.4, false)]
    public void Pieces_below_the_confidence_floor_are_dropped_and_counted(double confidence, double floor, bool dropped)
    {
        var matcher = new CorridorMatcher(Corridor, MatchingParameters.From(Constants, floor));
        var piece = AlongSection(NorthArlozorovRokach, 60, 90, confidence);

        var cycle = Calculator.ComputeCycle(matcher, [piece], At);

        Assert.Equal(dropped ? 1 : 0, cycle.DroppedLowConfidence);
        Assert.Equal(dropped ? ObservationState.NoData : ObservationState.Ok, cycle.Section(NorthArlozorovRokach).State);
        Assert.Equal(dropped ? PieceMatchStatus.LowConfidence : PieceMatchStatus.Matched, cycle.Pieces.Single().Status);
    }

    [Fact]
    public void A_low_confidence_piece_is_not_substituted_by_anything()
    {
        // Only a low-confidence piece on the section and a good one on another: the section stays no_data.
        var low = AlongSection(NorthArlozorovRokach, 30, 90, confidence: 0.3);
        var other = AlongSection(SouthRokachArlozorov, 80, 90);

        var cycle = Calculator.ComputeCycle(Matcher, [low, other], At);

        Assert.Equal(ObservationState.NoData, cycle.Section(NorthArlozorovRokach).State);
        Assert.Equal(ObservationState.Ok, cycle.Section(SouthRokachArlozorov).State);
        Assert.Equal(1, cycle.DroppedLowConfidence);
    }

    [Theory]
    [InlineData(0.9, 1.0, 80)]
    [InlineData(1.0, 0.9, 50)]
    public void Overlapping_pieces_give_a_bin_the_higher_confidence_speed(double confidenceSlow, double confidenceFast, double expectedKmh)
    {
        var slow = AlongSection(NorthArlozorovRokach, 50, 90, confidenceSlow);
        var fast = AlongSection(NorthArlozorovRokach, 80, 90, confidenceFast);

        var s = Calculator.ComputeCycle(Matcher, [slow, fast], At).Section(NorthArlozorovRokach);

        Assert.Equal(expectedKmh, s.SpeedKmh!.Value, 1e-6);
        Assert.Single(s.SourcePieceIds);
    }

    [Fact]
    public void Overlapping_pieces_of_equal_confidence_give_a_bin_the_nearer_speed()
    {
        var near = AlongSection(NorthArlozorovRokach, 80, 90, offsetEastMeters: 2);
        var far = AlongSection(NorthArlozorovRokach, 50, 90, offsetEastMeters: -12);

        var forward = Calculator.ComputeCycle(Matcher, [far, near], At).Section(NorthArlozorovRokach);
        var backward = Calculator.ComputeCycle(Matcher, [near, far], At).Section(NorthArlozorovRokach);

        Assert.Equal(80, forward.SpeedKmh!.Value, 1e-6);
        Assert.Equal(forward.DelaySeconds, backward.DelaySeconds);
    }

    [Theory]
    [InlineData(1.0, ObservationState.Ok)]
    [InlineData(0.9, ObservationState.Ok)]
    [InlineData(0.6, ObservationState.InsufficientCoverage)]
    [InlineData(0.3, ObservationState.InsufficientCoverage)]
    public void Coverage_below_80_percent_yields_no_value(double fraction, string expectedState)
    {
        var piece = AlongSection(NorthLaGuardiaArlozorov, 60, 90, fraction: fraction);

        var s = Calculator.ComputeCycle(Matcher, [piece], At).Section(NorthLaGuardiaArlozorov);

        Assert.Equal(expectedState, s.State);
        Assert.Equal(expectedState == ObservationState.Ok, s.DelaySeconds.HasValue);
        Assert.InRange(s.Coverage, fraction - 0.1, fraction + 0.05);
    }

    [Fact]
    public void Partial_coverage_above_threshold_is_scaled_to_the_full_section_length()
    {
        var piece = AlongSection(NorthLaGuardiaArlozorov, 60, 90, fraction: 0.9);

        var s = Calculator.ComputeCycle(Matcher, [piece], At).Section(NorthLaGuardiaArlozorov);

        Assert.True(s.Coverage < 1);
        Assert.Equal(s.LengthMeters / Units.KmhToMetersPerSecond(60), s.TravelTimeSeconds!.Value, 1e-6);
        Assert.Equal(s.LengthMeters / Units.KmhToMetersPerSecond(90), s.FreeFlowTimeSeconds!.Value, 1e-6);
    }

    [Fact]
    public void A_closure_reports_closed_with_no_delay_and_closes_the_direction()
    {
        var closed = AlongSection(NorthArlozorovRokach, 0, 90, closure: true);
        var others = new[] { NorthHolonLaGuardia, NorthLaGuardiaArlozorov }.Select(id => AlongSection(id, 80, 90));

        var cycle = Calculator.ComputeCycle(Matcher, [closed, .. others], At);

        var s = cycle.Section(NorthArlozorovRokach);
        Assert.Equal(ObservationState.Closed, s.State);
        Assert.Null(s.DelaySeconds);
        Assert.Null(s.SpeedKmh);
        Assert.Equal(ObservationState.Closed, cycle.Direction("northbound").State);
        Assert.Null(cycle.Direction("northbound").DelaySeconds);
    }

    [Fact]
    public void A_direction_total_is_the_sum_of_its_sections_when_all_are_measured_in_the_cycle()
    {
        var pieces = Corridor.InDirection("southbound").Select(s => AlongSection(s.Id, 50, 90)).ToList();

        var cycle = Calculator.ComputeCycle(Matcher, pieces, At);

        var d = cycle.Direction("southbound");
        var sections = cycle.Sections.Where(s => s.Direction == "southbound").ToList();
        Assert.Equal(ObservationState.Ok, d.State);
        Assert.Null(d.Reason);
        Assert.Equal(sections.Sum(s => s.DelaySeconds!.Value), d.DelaySeconds!.Value, 1e-9);
        Assert.Equal(sections.Sum(s => s.TravelTimeSeconds!.Value), d.TravelTimeSeconds!.Value, 1e-9);
        Assert.Equal(50, d.SpeedKmh!.Value, 1e-6);
        Assert.True(d.Congested);
    }

    [Fact]
    public void Each_piece_lists_the_sections_it_gave_speeds_to()
    {
        var match = Matcher.Match([Piece("2026-09-15", "arlozorov")]);

        Assert.Equal([NorthHolonLaGuardia, NorthLaGuardiaArlozorov, NorthArlozorovRokach],
            match.Pieces.Single().MatchedSectionIds);
    }

    [Fact]
    public void A_closure_without_a_free_flow_speed_is_accepted_and_closes_its_section()
    {
        // HERE sends closed stretches without any speed; a closure never enters a time sum, so none is needed.
        var closed = AlongSection(NorthArlozorovRokach, 0, 90, closure: true) with { FreeFlowSpeedKmh = 0, FreeFlowTravelTimeSeconds = 0 };

        var s = Calculator.ComputeCycle(Matcher, [closed], At).Section(NorthArlozorovRokach);

        Assert.Equal(ObservationState.Closed, s.State);
        Assert.Null(s.FreeFlowTimeSeconds);
    }

    [Theory]
    [InlineData(true, -1.0, 90.0)]
    [InlineData(true, 0.0, -5.0)]
    [InlineData(false, 80.0, 0.0)]
    public void A_piece_with_a_negative_speed_or_an_open_piece_without_free_flow_is_refused(bool closure, double speedKmh, double freeFlowKmh)
    {
        var bad = AlongSection(NorthArlozorovRokach, 80, 90, closure: closure) with { CurrentSpeedKmh = speedKmh, FreeFlowSpeedKmh = freeFlowKmh };

        Assert.Throws<ArgumentException>(() => Matcher.Match([bad]));
    }

    [Fact]
    public void A_piece_with_a_non_positive_speed_and_no_closure_is_refused()
    {
        var bad = AlongSection(NorthArlozorovRokach, 80, 90) with { CurrentSpeedKmh = 0 };

        Assert.Throws<ArgumentException>(() => Matcher.Match([bad]));
    }
}
