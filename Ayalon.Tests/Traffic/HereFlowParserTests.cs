using System.Globalization;
using System.Text;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Traffic;
using Ayalon.Core.Traffic.Here;

namespace Ayalon.Tests.Traffic;

/// <summary>The HERE <c>/v7/flow</c> parse rules (docs/METHODOLOGY.md §10), one rule per test or theory row.</summary>
[Trait("Category", "Unit")]
public sealed class HereFlowParserTests
{
    private const double Floor = 0.7;

    /// <summary>Points ~111 m apart going north along 34.79 E (index 0 at 32.06 N).</summary>
    private static GeoPoint P(int i) => new(Math.Round(32.06 + i * 0.001, 6), 34.79);

    private static string Points(params int[] indices) =>
        "[" + string.Join(",", indices.Select(i => FormattableString.Invariant($$"""{"lat":{{P(i).LatitudeDeg}},"lng":{{P(i).LongitudeDeg}}}"""))) + "]";

    private static string Link(int from, int to, int functionalClass = 1) =>
        $$"""{"points":{{Points(Enumerable.Range(from, to - from + 1).ToArray())}},"functionalClass":{{functionalClass}}}""";

    private static string Result(string flow, params string[] links) =>
        $$$"""{"location":{"description":"test","shape":{"links":[{{{string.Join(",", links)}}}]}},"currentFlow":{{{flow}}}}""";

    private static string Body(params string[] results) =>
        $$"""{"sourceUpdated":"2026-11-30T06:45:00Z","results":[{{string.Join(",", results)}}]}""";

    private const string OpenFlow = """{"speed":12.5,"speedUncapped":12.5,"freeFlow":25.0,"jamFactor":5.0,"confidence":0.95,"traversability":"open"}""";

    private static HereParseResult Parse(string json, string? trackingId = "tid-1", double floor = Floor) =>
        HereFlowParser.Parse(Encoding.UTF8.GetBytes(json), trackingId, floor);

    private static HereParseResult Ok(string json, double floor = Floor)
    {
        var r = Parse(json, floor: floor);
        Assert.True(r.IsOk, r.Error);
        return r;
    }

    // ---- polyline ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData(true, 5)]   // links [0..2] and [2..4] share point 2: it appears once
    [InlineData(false, 5)]  // links [0..1] and [2..4] do not touch: every point kept, the gap is a segment
    public void Links_are_joined_with_a_shared_joint_point_kept_once(bool shared, int expectedPoints)
    {
        var body = Body(Result(OpenFlow, shared ? Link(0, 2) : Link(0, 1), Link(2, 4)));

        var piece = Assert.Single(Ok(body).Pieces);

        Assert.Equal(expectedPoints, piece.Coordinates.Count);
        Assert.Equal(Enumerable.Range(0, 5).Select(P), piece.Coordinates);
        Assert.Equal(piece.Coordinates.Count, piece.Coordinates.Distinct().Count());
    }

    [Fact]
    public void A_piece_carries_provider_class_tracking_id_and_times_from_its_measured_length()
    {
        var body = Body(Result(OpenFlow, Link(0, 3, functionalClass: 2), Link(3, 6, functionalClass: 1)));

        var r = Ok(body);
        var piece = Assert.Single(r.Pieces);

        var length = Geo.PolylineLengthMeters(piece.Coordinates);
        Assert.Equal(HereFlowParser.ProviderName, piece.Provider);
        Assert.Equal("here", piece.Provider);
        Assert.Equal("FRC1", piece.FunctionalRoadClass);
        Assert.Equal("tid-1", piece.TrackingId);
        Assert.Null(piece.ProviderVersion);
        Assert.Equal(Units.MetersPerSecondToKmh(12.5), piece.CurrentSpeedKmh, 1e-12);
        Assert.Equal(90.0, piece.FreeFlowSpeedKmh, 1e-12);
        Assert.Equal(length / 12.5, piece.CurrentTravelTimeSeconds, 1e-9);
        Assert.Equal(length / 25.0, piece.FreeFlowTravelTimeSeconds, 1e-9);
        Assert.Equal(0.95, piece.Confidence);
        Assert.False(piece.RoadClosure);
        Assert.Equal(["results[0]"], r.PieceOrigins);
        Assert.Equal(1, r.ResultCount);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 6, 45, 0, TimeSpan.Zero), r.SourceUpdatedUtc);
    }

    // ---- subSegments -------------------------------------------------------------------------------------

    public static TheoryData<double[]> SubSegmentLengths => new()
    {
        { [300, 200, 500] },          // sums to 1000 m on a ~1000 m shape: scaled slightly
        { [111, 889] },               // a cut close to a vertex
        { [1, 1, 1, 1] },             // HERE's own unit is irrelevant: only the proportions are used
        { [5000, 2500, 2500, 10] },   // far too long in total: scaled down
        { [50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50] }, // many cuts inside segments
    };

    [Theory]
    [MemberData(nameof(SubSegmentLengths))]
    public void SubSegments_split_the_shape_at_their_scaled_cumulative_lengths(double[] lengths)
    {
        var subs = string.Join(",", lengths.Select(l => FormattableString.Invariant(
            $$"""{"length":{{l}},"speed":12.5,"speedUncapped":12.5,"freeFlow":25.0,"jamFactor":5.0,"traversability":"open"}""")));
        var flow = $$"""{"speed":12.5,"speedUncapped":12.5,"freeFlow":25.0,"jamFactor":5.0,"confidence":0.95,"traversability":"open","subSegments":[{{subs}}]}""";
        var body = Body(Result(flow, Link(0, 4), Link(4, 9)));
        var shapeLength = Geo.PolylineLengthMeters(Enumerable.Range(0, 10).Select(P).ToList());

        var r = Ok(body);

        // Identical speeds, different polylines: every subSegment is its own piece, in order.
        Assert.Equal(lengths.Length, r.Pieces.Count);
        var pieceLengths = r.Pieces.Select(p => Geo.PolylineLengthMeters(p.Coordinates)).ToList();
        Assert.Equal(shapeLength, pieceLengths.Sum(), shapeLength * 1e-6);
        var scale = shapeLength / lengths.Sum();
        for (var k = 0; k < lengths.Length; k++)
        {
            Assert.Equal(lengths[k] * scale, pieceLengths[k], 1e-6 * shapeLength);
            Assert.Equal($"results[0].currentFlow.subSegments[{k}]", r.PieceOrigins[k]);
            Assert.Equal(pieceLengths[k] / 12.5, r.Pieces[k].CurrentTravelTimeSeconds, 1e-9);
        }
        Assert.Equal(P(0), r.Pieces[0].Coordinates[0]);
        Assert.Equal(P(9), r.Pieces[^1].Coordinates[^1]);
        for (var k = 1; k < r.Pieces.Count; k++) Assert.Equal(r.Pieces[k - 1].Coordinates[^1], r.Pieces[k].Coordinates[0]);
        // Every cut point lies on the shape (here a meridian), inside it.
        Assert.All(r.Pieces.SelectMany(p => p.Coordinates), c =>
        {
            Assert.Equal(34.79, c.LongitudeDeg, 1e-12);
            Assert.InRange(c.LatitudeDeg, P(0).LatitudeDeg, P(9).LatitudeDeg);
        });
    }

    [Fact]
    public void SubSegments_without_a_length_on_every_one_leave_the_result_one_piece()
    {
        const string flow = """{"speed":12.5,"freeFlow":25.0,"confidence":0.95,"subSegments":[{"length":300,"speed":5,"freeFlow":25},{"speed":20,"freeFlow":25}]}""";

        var piece = Assert.Single(Ok(Body(Result(flow, Link(0, 4)))).Pieces);

        Assert.Equal(45.0, piece.CurrentSpeedKmh, 1e-12);
        Assert.Equal(5, piece.Coordinates.Count);
    }

    [Theory]
    [InlineData("""{"length":500,"speed":10,"freeFlow":25,"confidence":0.95}""", 0.99, 1)]   // its own confidence
    [InlineData("""{"length":500,"speed":10,"freeFlow":25}""", 0.95, 1)]                     // the result's
    [InlineData("""{"length":500,"speed":10,"freeFlow":25}""", 0.6, 0)]                      // the result's, historical
    [InlineData("""{"length":500,"speed":10,"freeFlow":25,"confidence":0.6}""", 0.95, 0)]    // its own, historical
    public void A_subSegments_confidence_is_its_own_else_the_results(string sub, double resultConfidence, int kept)
    {
        var flow = FormattableString.Invariant(
            $$"""{"speed":10,"freeFlow":25,"confidence":{{resultConfidence}},"subSegments":[{{sub}},{"length":500,"speed":10,"freeFlow":25,"confidence":0.99}]}""");

        var r = Ok(Body(Result(flow, Link(0, 9))));

        Assert.Equal(kept + 1, r.Pieces.Count);
        Assert.Equal(1 - kept, r.DroppedLowConfidence);
    }

    [Fact]
    public void An_open_subSegment_never_takes_the_results_average_speed()
    {
        const string flow = """{"speed":10,"freeFlow":25,"confidence":0.95,"subSegments":[{"length":500,"freeFlow":25},{"length":500,"speed":10,"freeFlow":25}]}""";

        var r = Parse(Body(Result(flow, Link(0, 9))));

        Assert.False(r.IsOk);
        Assert.Equal("results[0].currentFlow.subSegments[0]: missing 'speedUncapped' and 'speed' on an open piece", r.Error);
    }

    // ---- speeds ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("\"speed\":25.0,\"speedUncapped\":27.2,\"freeFlow\":27.2", 27.2 * 3.6, 0)]  // capped at the limit, free flow above it
    [InlineData("\"speed\":25.0,\"freeFlow\":27.2", 90.0, 1)]                              // no uncapped speed: the capped one
    [InlineData("\"speedUncapped\":12.0,\"freeFlow\":25.0", 43.2, 1)]                      // uncapped alone
    [InlineData("\"speed\":12.0,\"speedUncapped\":12.0,\"freeFlow\":25.0", 43.2, 1)]       // below the limit they agree
    public void Speed_uncapped_is_used_over_the_capped_speed(string speeds, double expectedKmh, int slowerThanFreeFlow)
    {
        var piece = Assert.Single(Ok(Body(Result($$"""{{{speeds}},"confidence":0.9}""", Link(0, 3)))).Pieces);

        Assert.Equal(expectedKmh, piece.CurrentSpeedKmh, 1e-9);
        Assert.Equal(slowerThanFreeFlow == 1, piece.CurrentSpeedKmh < piece.FreeFlowSpeedKmh);
    }

    // ---- confidence --------------------------------------------------------------------------------------

    [Theory]
    [InlineData("1.0", true)]
    [InlineData("0.71", true)]
    [InlineData("0.7000001", true)]
    [InlineData("0.7", false)]     // the boundary is HERE's band edge: 0.7 is historical, not real time
    [InlineData("0.6", false)]     // historical profile
    [InlineData("0.5", false)]     // speed limit
    [InlineData("0.2", false)]
    [InlineData("0", false)]
    [InlineData("-1", false)]      // closed or not computed (without traversability closed: not computed)
    [InlineData(null, false)]      // absent
    [InlineData("null", false)]
    public void Only_real_time_confidence_above_the_floor_is_kept_the_rest_dropped_and_counted(string? confidence, bool kept)
    {
        var field = confidence is null ? "" : $",\"confidence\":{confidence}";
        var body = Body(Result($$"""{"speed":10,"freeFlow":25{{field}}}""", Link(0, 3)), Result(OpenFlow, Link(5, 8)));

        var r = Ok(body);

        Assert.Equal(kept ? 2 : 1, r.Pieces.Count);
        Assert.Equal(kept ? 0 : 1, r.DroppedLowConfidence);
        Assert.Equal(2, r.ResultCount);
    }

    [Fact]
    public void The_floor_is_a_parameter()
    {
        var body = Body(Result("""{"speed":10,"freeFlow":25,"confidence":0.6}""", Link(0, 3)));

        Assert.Single(Ok(body, floor: 0.5).Pieces);
        Assert.Empty(Ok(body, floor: 0.6).Pieces);
        Assert.Throws<ArgumentOutOfRangeException>(() => Parse(body, floor: 1.5));
    }

    // ---- closures ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("""{"jamFactor":10,"traversability":"closed"}""", 0.0)]                                        // HERE's usual: nothing
    [InlineData("""{"freeFlow":25.0,"jamFactor":10,"traversability":"closed"}""", 90.0)]                      // free flow kept if given
    [InlineData("""{"speed":4.0,"freeFlow":25.0,"confidence":0.3,"traversability":"closed"}""", 90.0)]        // a speed and low confidence do not matter
    [InlineData("""{"speed":4.0,"freeFlow":25.0,"confidence":-1,"traversability":"closed"}""", 90.0)]
    public void A_closed_item_is_a_closure_whatever_its_speed_or_confidence(string flow, double expectedFreeFlowKmh)
    {
        var r = Ok(Body(Result(flow, Link(0, 3))));

        var piece = Assert.Single(r.Pieces);
        Assert.Equal(0, r.DroppedLowConfidence);
        Assert.True(piece.RoadClosure);
        Assert.Equal(0, piece.CurrentSpeedKmh);
        Assert.Equal(0, piece.CurrentTravelTimeSeconds);
        Assert.Equal(expectedFreeFlowKmh, piece.FreeFlowSpeedKmh, 1e-9);
        Assert.True(piece.FreeFlowTravelTimeSeconds >= 0 && double.IsFinite(piece.FreeFlowTravelTimeSeconds));
        Assert.Equal(HereFlowParser.ClosureConfidence, piece.Confidence);
    }

    [Fact]
    public void A_closed_subSegment_inherits_nothing_but_the_closure_and_passes_any_floor()
    {
        const string flow = """
            {"speed":20,"speedUncapped":20,"freeFlow":25,"confidence":0.95,"traversability":"open","subSegments":[
              {"length":300,"speed":20,"freeFlow":25},
              {"length":400,"jamFactor":10,"traversability":"closed"},
              {"length":300,"speed":20,"freeFlow":25}]}
            """;

        var r = Ok(Body(Result(flow, Link(0, 9))), floor: 1.0 - 1e-9);

        var closed = Assert.Single(r.Pieces);
        Assert.Equal(2, r.DroppedLowConfidence);
        Assert.True(closed.RoadClosure);
        Assert.Equal(0, closed.FreeFlowSpeedKmh);
        Assert.Equal(0, closed.FreeFlowTravelTimeSeconds);
        Assert.Equal("results[0].currentFlow.subSegments[1]", Assert.Single(r.PieceOrigins));
    }

    [Fact]
    public void A_closed_result_closes_its_subSegments_that_do_not_say_otherwise()
    {
        const string flow = """
            {"jamFactor":10,"traversability":"closed","subSegments":[{"length":500,"jamFactor":10},{"length":500,"speed":20,"freeFlow":25,"confidence":0.9,"traversability":"open"}]}
            """;

        var r = Ok(Body(Result(flow, Link(0, 9))));

        Assert.Equal([true, false], r.Pieces.Select(p => p.RoadClosure));
    }

    // ---- identical pieces, empty answers -----------------------------------------------------------------

    [Fact]
    public void Identical_pieces_count_once()
    {
        var same = Result(OpenFlow, Link(0, 3));
        var slower = Result("""{"speed":10,"freeFlow":25,"confidence":0.95}""", Link(0, 3));

        var r = Ok(Body(same, same, slower, same));

        Assert.Equal(2, r.Pieces.Count);
        Assert.Equal(2, r.DuplicatePieces);
        Assert.Equal(4, r.ResultCount);
        Assert.Equal(r.Pieces.Count, r.Pieces.Select(p => p.PieceId).Distinct().Count());
        Assert.Equal(["results[0]", "results[2]"], r.PieceOrigins);
    }

    [Fact]
    public void An_empty_answer_has_a_null_source_time_and_no_results()
    {
        var r = Ok("""{"sourceUpdated":null,"results":[]}""");

        Assert.Empty(r.Pieces);
        Assert.Null(r.SourceUpdatedUtc);
        Assert.Equal(0, r.ResultCount);
        Assert.Equal(0, r.DroppedLowConfidence);
    }

    [Fact]
    public void JamFactor_is_informational_only()
    {
        var calm = Assert.Single(Ok(Body(Result("""{"speed":10,"freeFlow":25,"jamFactor":0,"confidence":0.9}""", Link(0, 3)))).Pieces);
        var jammed = Assert.Single(Ok(Body(Result("""{"speed":10,"freeFlow":25,"jamFactor":10,"confidence":0.9}""", Link(0, 3)))).Pieces);

        Assert.Equal(calm with { Coordinates = jammed.Coordinates }, jammed);
        Assert.Equal(calm.Coordinates, jammed.Coordinates);
    }

    // ---- fail-closed -------------------------------------------------------------------------------------

    public static TheoryData<string, string> Refused => new()
    {
        { "{\"results\":[", "body is not valid JSON" },
        { "{\"results\":[]} {\"results\":[]}", "body is not valid JSON" },
        { "[]", "body is not a JSON object" },
        { "{\"sourceUpdated\":null}", "missing 'results' array" },
        { "{\"results\":{}}", "missing 'results' array" },
        { "{\"sourceUpdated\":\"yesterday\",\"results\":[]}", "'sourceUpdated' is neither null nor a time" },
        { Body("17"), "results[0] is not an object" },
        { Body($$"""{"currentFlow":{{OpenFlow}}}"""), "results[0]: missing 'location.shape.links' (locationReferencing=shape)" },
        { Body($$"""{"location":{"description":"olr only","olr":"CCkBEAAlJAjwiiaYLAjqDBhg"},"currentFlow":{{OpenFlow}}}"""), "results[0]: missing 'location.shape.links'" },
        { Body($$$"""{"location":{"shape":{"links":[]}},"currentFlow":{{{OpenFlow}}}}"""), "results[0]: missing 'location.shape.links'" },
        { Body($$$"""{"location":{"shape":{"links":[{"length":10}]}},"currentFlow":{{{OpenFlow}}}}"""), "results[0].location.shape.links[0]: missing 'points'" },
        { Body(Result(OpenFlow, $$"""{"points":{{Points(0)}}}""")), "results[0]: 1 shape point(s); at least 2 are needed" },
        { Body(Result(OpenFlow, $$"""{"points":{{Points(0)}}}""", $$"""{"points":{{Points(0)}}}""")), "results[0]: 1 shape point(s)" },
        { Body(Result(OpenFlow, """{"points":[{"lat":91,"lng":34.79},{"lat":32.07,"lng":34.79}]}""")), "results[0].location.shape.links[0].points[0] is not a valid latitude/longitude" },
        { Body(Result(OpenFlow, """{"points":[{"lat":32.06,"lng":34.79},{"lat":32.07,"lng":181}]}""")), "results[0].location.shape.links[0].points[1] is not a valid latitude/longitude" },
        { Body(Result(OpenFlow, """{"points":[{"lat":32.06,"lng":34.79},{"lat":"32.07","lng":34.79}]}""")), "points[1] is not a valid latitude/longitude" },
        { Body("""{"location":{"shape":{"links":[""" + Link(0, 2) + "]}}}"), "results[0]: missing 'currentFlow'" },
        { Body(Result("""{"speed":-1,"freeFlow":25,"confidence":0.9}""", Link(0, 2))), "results[0].currentFlow: negative speed -1" },
        { Body(Result("""{"speed":10,"speedUncapped":-2,"freeFlow":25,"confidence":0.9}""", Link(0, 2))), "results[0].currentFlow: negative speedUncapped -2" },
        { Body(Result("""{"speed":10,"freeFlow":-25,"confidence":0.9}""", Link(0, 2))), "results[0].currentFlow: negative freeFlow -25" },
        { Body(Result("""{"speed":10,"freeFlow":0,"confidence":0.9}""", Link(0, 2))), "results[0]: non-positive freeFlow 0 on an open piece" },
        { Body(Result("""{"speed":10,"freeFlow":0,"confidence":0.2}""", Link(0, 2))), "results[0]: non-positive freeFlow 0 on an open piece" },
        { Body(Result("""{"speed":10,"confidence":0.9}""", Link(0, 2))), "results[0]: missing 'freeFlow' on an open piece" },
        { Body(Result("""{"speed":0,"freeFlow":25,"confidence":0.9}""", Link(0, 2))), "results[0]: speed 0 on a piece that is not closed" },
        { Body(Result("""{"speed":"fast","freeFlow":25,"confidence":0.9}""", Link(0, 2))), "results[0].currentFlow: 'speed' is not a number" },
        { Body(Result("""{"speed":10,"freeFlow":25,"confidence":1.5}""", Link(0, 2))), "results[0].currentFlow: confidence 1.5 outside [-1, 1]" },
        { Body(Result("""{"speed":10,"freeFlow":25,"confidence":-1.5}""", Link(0, 2))), "results[0].currentFlow: confidence -1.5 outside [-1, 1]" },
        { Body(Result("""{"speed":10,"freeFlow":25,"confidence":0.9,"traversability":1}""", Link(0, 2))), "'traversability' is not a string" },
        { Body(Result("""{"speed":10,"freeFlow":25,"confidence":0.9,"subSegments":{}}""", Link(0, 2))), "results[0].currentFlow: 'subSegments' is not an array" },
        { Body(Result("""{"speed":10,"freeFlow":25,"confidence":0.9,"subSegments":[{"length":0,"speed":10,"freeFlow":25}]}""", Link(0, 2))), "results[0].currentFlow.subSegments[0]: non-positive length 0" },
        { Body(Result("""{"speed":10,"freeFlow":25,"confidence":0.9,"subSegments":[{"length":100,"speed":10,"freeFlow":25},{"length":-5,"speed":10,"freeFlow":25}]}""", Link(0, 2))), "results[0].currentFlow.subSegments[1]: non-positive length -5" },
        { Body(Result("""{"speed":10,"freeFlow":25,"confidence":0.9,"subSegments":[{"length":100,"speed":-3,"freeFlow":25}]}""", Link(0, 2))), "results[0].currentFlow.subSegments[0]: negative speed -3" },
        // One bad result among good ones refuses the whole answer: nothing is invented, nothing half-kept.
        { Body(Result(OpenFlow, Link(0, 2)), Result(OpenFlow, Link(3, 5)), Result("""{"speed":10,"freeFlow":25,"confidence":2}""", Link(6, 8))), "results[2].currentFlow: confidence 2 outside [-1, 1]" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void An_invalid_answer_is_refused_whole_with_a_reason(string body, string reason)
    {
        var r = Parse(body);

        Assert.False(r.IsOk);
        Assert.Contains(reason, r.Error);
        Assert.Empty(r.Pieces);
        Assert.Empty(r.PieceOrigins);
    }

    [Fact]
    public void A_refusal_never_echoes_text_from_the_body()
    {
        var r = Parse(Body(Result("""{"speed":10,"freeFlow":25,"confidence":0.9,"traversability":{"apiKey":"SECRET-KEY-123"}}""", Link(0, 2))));

        Assert.False(r.IsOk);
        Assert.DoesNotContain("SECRET", r.Error);
    }

    [Fact]
    public void A_large_answer_parses_with_every_result_kept()
    {
        // ~2 MB: 1,400 results of 40 points each, like a whole-bbox answer over a city.
        var results = Enumerable.Range(0, 1400).Select(i =>
        {
            var pts = string.Join(",", Enumerable.Range(0, 40).Select(j => string.Create(CultureInfo.InvariantCulture,
                $$"""{"lat":{{31.5 + i * 0.0005 + j * 0.00001:0.000000}},"lng":{{34.7 + j * 0.0001:0.000000}}}""")));
            return $$$"""{"location":{"shape":{"links":[{"points":[{{{pts}}}],"functionalClass":2}]}},"currentFlow":{"speed":{{{10 + i % 7}}},"freeFlow":25,"confidence":0.9}}""";
        });
        var body = Body(results.ToArray());
        Assert.True(body.Length > 2_000_000, $"{body.Length} bytes");

        var r = Ok(body);

        Assert.Equal(1400, r.Pieces.Count);
        Assert.All(r.Pieces, p => Assert.Equal(40, p.Coordinates.Count));
    }
}
