using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using static Ayalon.Tests.Physics.PhysicsTestData;

namespace Ayalon.Tests.Physics;

/// <summary>The methodology's worked checks (docs/METHODOLOGY.md §7), over the real recorded TomTom answers.</summary>
[Trait("Category", "Unit")]
public class FixtureCycleTests
{
    private static readonly DateTimeOffset FreeFlowAt = new(2026, 1, 10, 19, 12, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset CongestedAt = new(2026, 9, 15, 9, 42, 42, TimeSpan.Zero);

    [Fact]
    public void Free_flow_answers_give_exactly_zero_delay_on_every_matched_section()
    {
        var cycle = Calculator.ComputeCycle(Matcher, Set("2026-01-10"), FreeFlowAt);

        var measured = cycle.Sections.Where(s => s.State == ObservationState.Ok).ToList();
        Assert.Equal([NorthLaGuardiaArlozorov, NorthArlozorovRokach], measured.Select(s => s.SectionId));
        Assert.All(measured, s =>
        {
            Assert.Equal(0.0, s.DelaySeconds);
            Assert.False(s.Congested);
            Assert.Equal(s.FreeFlowTimeSeconds, s.TravelTimeSeconds);
        });
    }

    [Theory]
    [InlineData("2026-01-10")]
    [InlineData("2026-09-15")]
    public void La_guardia_probe_returns_route_44_which_matches_no_ayalon_section(string set)
    {
        var laGuardia = Piece(set, "la_guardia");
        Assert.Equal("FRC2", laGuardia.FunctionalRoadClass);

        var match = Matcher.Match([laGuardia]);

        Assert.All(match.Sections, s => Assert.Equal(0, s.MatchedBinCount));
        Assert.Equal(PieceMatchStatus.Unmatched, match.Piece(laGuardia.PieceId)!.Status);
        Assert.Empty(match.Piece(laGuardia.PieceId)!.MatchedSectionIds);
    }

    [Theory]
    [InlineData("2026-01-10")]
    [InlineData("2026-09-15")]
    public void Ha_shalom_and_arlozorov_are_one_tomtom_segment_and_count_once(string set)
    {
        var haShalom = Piece(set, "ha_shalom");
        var arlozorov = Piece(set, "arlozorov");
        Assert.Equal(haShalom.PieceId, arlozorov.PieceId);

        var once = Calculator.ComputeCycle(Matcher, [arlozorov], CongestedAt);
        var twice = Calculator.ComputeCycle(Matcher, [haShalom, arlozorov], CongestedAt);

        Assert.Equal(1, twice.DuplicatePieces);
        Assert.Single(twice.Pieces);
        Assert.Equal(2, twice.Pieces[0].Occurrences);
        Assert.Equal(once.Sections.Select(s => (s.SectionId, s.State, s.DelaySeconds, s.TravelTimeSeconds)),
            twice.Sections.Select(s => (s.SectionId, s.State, s.DelaySeconds, s.TravelTimeSeconds)));
        Assert.All(twice.Sections, s => Assert.True(s.SourcePieceIds.Count <= 1));
    }

    [Theory]
    [InlineData(NorthLaGuardiaArlozorov, 110.9, 76.7, 34.2)]
    [InlineData(NorthArlozorovRokach, 99.6, 68.9, 30.7)]
    public void Congested_september_answer_gives_the_documented_section_times(string sectionId, double travel, double freeFlow, double delay)
    {
        var cycle = Calculator.ComputeCycle(Matcher, Set("2026-09-15"), CongestedAt);
        var s = cycle.Section(sectionId);

        Assert.Equal(ObservationState.Ok, s.State);
        Assert.Equal(travel, s.TravelTimeSeconds!.Value, 0.1);
        Assert.Equal(freeFlow, s.FreeFlowTimeSeconds!.Value, 0.1);
        Assert.Equal(delay, s.DelaySeconds!.Value, 0.1);
        Assert.True(s.Congested, "34 s over 77 s free flow is 45% > 25%");
        Assert.Equal(65, s.SpeedKmh!.Value, 1e-6);
        Assert.Equal(94, s.FreeFlowSpeedKmh!.Value, 1e-6);
    }

    [Fact]
    public void Covered_sections_delay_equals_length_over_speed_difference()
    {
        var cycle = Calculator.ComputeCycle(Matcher, Set("2026-09-15"), CongestedAt);

        foreach (var s in cycle.Sections.Where(x => x.State == ObservationState.Ok))
        {
            var expected = s.LengthMeters / Units.KmhToMetersPerSecond(65) - s.LengthMeters / Units.KmhToMetersPerSecond(94);
            Assert.InRange(s.DelaySeconds!.Value, expected - 0.5, expected + 0.5);
        }
    }

    [Fact]
    public void Holon_to_la_guardia_is_about_27_percent_covered_and_yields_no_value()
    {
        var cycle = Calculator.ComputeCycle(Matcher, Set("2026-09-15"), CongestedAt);
        var s = cycle.Section(NorthHolonLaGuardia);

        Assert.Equal(ObservationState.InsufficientCoverage, s.State);
        Assert.InRange(s.Coverage, 0.25, 0.29);
        Assert.Null(s.DelaySeconds);
        Assert.Null(s.TravelTimeSeconds);
        Assert.False(s.Congested);
    }

    [Theory]
    [InlineData(SouthRokachArlozorov)]
    [InlineData(SouthArlozorovLaGuardia)]
    [InlineData(SouthLaGuardiaHolon)]
    public void Southbound_sections_have_no_data_from_northbound_answers(string sectionId)
    {
        var cycle = Calculator.ComputeCycle(Matcher, Set("2026-09-15"), CongestedAt);
        var s = cycle.Section(sectionId);

        Assert.Equal(ObservationState.NoData, s.State);
        Assert.Equal(0, s.Coverage);
        Assert.Empty(s.SourcePieceIds);
    }

    [Fact]
    public void Directions_report_why_they_have_no_corridor_total()
    {
        var cycle = Calculator.ComputeCycle(Matcher, Set("2026-09-15"), CongestedAt);

        var north = cycle.Direction("northbound");
        Assert.Equal(ObservationState.Incomplete, north.State);
        Assert.Null(north.DelaySeconds);
        Assert.Contains(NorthHolonLaGuardia, north.Reason);
        Assert.Contains(ObservationState.InsufficientCoverage, north.Reason);

        var south = cycle.Direction("southbound");
        Assert.Equal(ObservationState.NoData, south.State);
        Assert.Null(south.TravelTimeSeconds);
    }

    [Fact]
    public void Cycle_carries_methodology_and_constants_versions()
    {
        var cycle = Calculator.ComputeCycle(Matcher, Set("2026-09-15"), CongestedAt);

        Assert.Equal("2", cycle.MethodologyVersion);
        Assert.Equal("1", cycle.ConstantsVersion);
        Assert.Equal(CongestedAt, cycle.ObservedAtUtc);
        Assert.All(cycle.Sections, s => Assert.Equal(CongestedAt, s.ObservedAtUtc));
    }
}
