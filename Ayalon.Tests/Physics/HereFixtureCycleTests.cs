using System.Text;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Traffic.Here;
using static Ayalon.Tests.Physics.PhysicsTestData;

namespace Ayalon.Tests.Physics;

/// <summary>
/// HERE fixture → parser → matcher → calculator, against numbers worked by hand (docs/METHODOLOGY.md §10). The
/// fixtures are written from HERE's documented schema over the corridor geometry (fixtures/here/README.md).
/// Speeds in the bodies are m/s; the Ayalon's limit is taken as 25 m/s, where HERE caps <c>speed</c>.
/// </summary>
[Trait("Category", "Unit")]
public class HereFixtureCycleTests
{
    private static readonly DateTimeOffset CongestedAt = new(2026, 11, 30, 6, 45, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset FreeFlowAt = new(2026, 11, 29, 1, 15, 0, TimeSpan.Zero);

    private static HereParseResult ParseFixture(string set, Func<string, string>? edit = null)
    {
        var text = File.ReadAllText(HereFixturePath($"{set}/ayalon.body.json"));
        var parsed = HereFlowParser.Parse(Encoding.UTF8.GetBytes(edit is null ? text : edit(text)), "corr", ImpactConstants.Default.ConfidenceFloor);
        Assert.True(parsed.IsOk, parsed.Error);
        return parsed;
    }

    private static CycleImpact Cycle(string set, Func<string, string>? edit = null) =>
        Calculator.ComputeCycle(Matcher, ParseFixture(set, edit).Pieces, set == "congested" ? CongestedAt : FreeFlowAt);

    /// <summary>What the model would say had it used HERE's capped <c>speed</c>: the field renamed away.</summary>
    private static string WithoutUncappedSpeed(string body) =>
        body.Replace("\"speedUncapped\"", "\"speedUncappedIgnored\"", StringComparison.Ordinal);

    // ---- free flow everywhere ----------------------------------------------------------------------------

    [Fact]
    public void Free_flow_everywhere_gives_exactly_zero_delay_on_all_six_sections_even_above_the_speed_limit()
    {
        var cycle = Cycle("free_flow");

        Assert.All(cycle.Sections, s =>
        {
            Assert.Equal(ObservationState.Ok, s.State);
            Assert.Equal(0.0, s.DelaySeconds);
            Assert.Equal(s.FreeFlowTimeSeconds, s.TravelTimeSeconds);
            Assert.False(s.Congested);
        });
        Assert.All(cycle.Directions, d =>
        {
            Assert.Equal(ObservationState.Ok, d.State);
            Assert.Equal(0.0, d.DelaySeconds);
        });
        Assert.Equal(97.92, cycle.Section(NorthHolonLaGuardia).SpeedKmh!.Value, 1e-9); // 27.2 m/s, above the 90 km/h limit
    }

    [Theory]
    [InlineData(NorthHolonLaGuardia, 2603.5, 27.2)]
    [InlineData(NorthLaGuardiaArlozorov, 2001.6, 26.4)]
    [InlineData(SouthRokachArlozorov, 1776.2, 26.1)]
    [InlineData(SouthArlozorovLaGuardia, 2008.7, 25.6)]
    [InlineData(SouthLaGuardiaHolon, 2613.9, 27.5)]
    public void The_capped_speed_would_invent_delay_at_free_flow_wherever_free_flow_exceeds_the_limit(string sectionId, double lengthMeters, double freeFlowMps)
    {
        var capped = Cycle("free_flow", WithoutUncappedSpeed).Section(sectionId);

        // L/25 − L/v_ff: the v1 mistake again, which speedUncapped avoids.
        Assert.Equal(lengthMeters / 25.0 - lengthMeters / freeFlowMps, capped.DelaySeconds!.Value, 1e-6);
        Assert.Equal(0.0, Cycle("free_flow").Section(sectionId).DelaySeconds);
    }

    [Fact]
    public void Below_the_limit_capped_and_uncapped_agree()
    {
        Assert.Equal(0.0, Cycle("free_flow", WithoutUncappedSpeed).Section(NorthArlozorovRokach).DelaySeconds);
    }

    // ---- the congested answer ----------------------------------------------------------------------------

    [Theory]
    // Holon → La Guardia: free flow 27.2 m/s above the limit (speed capped at 25.0): T = T_ff = 2603.5/27.2, d = 0.
    [InlineData(NorthHolonLaGuardia, 95.716912, 95.716912, 0.0, 97.92, 97.92, false)]
    // La Guardia → Arlozorov: 12.5 vs 25.0 m/s: T = 2001.6/12.5 = 160.128, T_ff = 80.064, d = 80.064.
    [InlineData(NorthLaGuardiaArlozorov, 160.128, 80.064, 80.064, 45.0, 90.0, true)]
    // Arlozorov → Rokach: 18.0 vs 25.0 m/s on the covered bins, scaled: 1798.7/18 = 99.927778, 1798.7/25 = 71.948.
    [InlineData(NorthArlozorovRokach, 99.927778, 71.948, 27.979778, 64.8, 90.0, true)]
    // Rokach → Arlozorov → La Guardia: free flow 26.1 m/s (capped speed 25.0): d = 0.
    [InlineData(SouthRokachArlozorov, 68.053640, 68.053640, 0.0, 93.96, 93.96, false)]
    [InlineData(SouthArlozorovLaGuardia, 76.961686, 76.961686, 0.0, 93.96, 93.96, false)]
    public void Congested_answer_gives_the_hand_worked_section_values(string sectionId, double travel, double freeFlow, double delay,
        double speedKmh, double freeFlowKmh, bool congested)
    {
        var s = Cycle("congested").Section(sectionId);

        Assert.Equal(ObservationState.Ok, s.State);
        Assert.Equal(travel, s.TravelTimeSeconds!.Value, 1e-6);
        Assert.Equal(freeFlow, s.FreeFlowTimeSeconds!.Value, 1e-6);
        Assert.Equal(delay, s.DelaySeconds!.Value, 1e-6);
        Assert.Equal(speedKmh, s.SpeedKmh!.Value, 1e-6);
        Assert.Equal(freeFlowKmh, s.FreeFlowSpeedKmh!.Value, 1e-6);
        Assert.Equal(congested, s.Congested);
    }

    [Fact]
    public void Northbound_corridor_total_is_the_sum_of_its_three_sections()
    {
        var north = Cycle("congested").Direction("northbound");

        Assert.Equal(ObservationState.Ok, north.State);
        Assert.Equal(95.716912 + 160.128 + 99.927778, north.TravelTimeSeconds!.Value, 1e-5);
        Assert.Equal(95.716912 + 80.064 + 71.948, north.FreeFlowTimeSeconds!.Value, 1e-5);
        Assert.Equal(80.064 + 27.979778, north.DelaySeconds!.Value, 1e-5);
        Assert.True(north.Congested, "108 s over 248 s free flow is 44% > 25%");
    }

    [Fact]
    public void The_historical_tail_before_rokach_is_dropped_counted_and_leaves_a_hole_not_a_substitute()
    {
        var parsed = ParseFixture("congested");
        var s = Calculator.ComputeCycle(Matcher, parsed.Pieces, CongestedAt).Section(NorthArlozorovRokach);

        Assert.Equal(1, parsed.DroppedLowConfidence);
        Assert.DoesNotContain("results[1].currentFlow.subSegments[2]", parsed.PieceOrigins);
        // 150 m of 1798.7 m uncovered, less the ≤ 20 m the neighbouring piece reaches into it.
        Assert.InRange(s.Coverage, 1 - 150 / 1798.7, 1 - 130 / 1798.7 + 0.006);
    }

    [Fact]
    public void The_closed_stretch_makes_its_section_and_the_southbound_direction_closed()
    {
        var cycle = Cycle("congested");

        var s = cycle.Section(SouthLaGuardiaHolon);
        Assert.Equal(ObservationState.Closed, s.State);
        Assert.Null(s.DelaySeconds);
        Assert.Null(s.TravelTimeSeconds);
        var south = cycle.Direction("southbound");
        Assert.Equal(ObservationState.Closed, south.State);
        Assert.Null(south.DelaySeconds);
        Assert.Contains(SouthLaGuardiaHolon, south.Reason);
    }

    [Fact]
    public void The_repeated_result_counts_once()
    {
        var parsed = ParseFixture("congested");

        Assert.Equal(2, parsed.DuplicatePieces); // results[2] repeats results[0]: two subSegment pieces
        Assert.Equal(7, parsed.ResultCount);
        Assert.DoesNotContain(parsed.PieceOrigins, o => o.StartsWith("results[2]", StringComparison.Ordinal));
        Assert.Equal(parsed.Pieces.Count, parsed.Pieces.Select(p => p.PieceId).Distinct().Count());
    }

    [Theory]
    [InlineData("results[3]")] // a parallel road 60 m east, same direction
    [InlineData("results[4]")] // an exit ramp at 55° to the carriageway
    public void Parallel_road_and_ramp_match_no_section(string origin)
    {
        var parsed = ParseFixture("congested");
        var piece = parsed.Pieces[parsed.PieceOrigins.ToList().IndexOf(origin)];

        var match = Matcher.Match(parsed.Pieces);

        Assert.Equal("FRC2", piece.FunctionalRoadClass);
        Assert.Equal(PieceMatchStatus.Unmatched, match.Piece(piece.PieceId)!.Status);
        Assert.All(match.Sections, s => Assert.DoesNotContain(piece.PieceId, s.SourcePieceIds));
    }

    [Fact]
    public void Every_kept_piece_of_the_congested_answer_is_real_time_or_a_closure()
    {
        var parsed = ParseFixture("congested");

        // results[0] 2, [1] 2 of 3, [2] 0 (a repeat), [3] 1, [4] 1, [5] 1, [6] 3 (one closed).
        Assert.Equal(10, parsed.Pieces.Count);
        Assert.All(parsed.Pieces, p => Assert.True(p.RoadClosure || p.Confidence > 0.7));
        Assert.Single(parsed.Pieces, p => p.RoadClosure);
        Assert.All(parsed.Pieces, p => Assert.Equal("here", p.Provider));
    }
}
