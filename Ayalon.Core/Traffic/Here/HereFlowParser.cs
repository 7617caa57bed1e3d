using System.Globalization;
using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;

namespace Ayalon.Core.Traffic.Here;

/// <summary>
/// Outcome of reading one HERE <c>/v7/flow</c> answer: the distinct pieces kept (real-time confidence, or closed),
/// how many were dropped for low or missing confidence and how many identical ones were folded, the answer's
/// <c>sourceUpdated</c> and its number of results — or, when the answer is refused whole, the reason
/// (<see cref="Error"/>, a message of ours naming the result and field; never text copied from the body).
/// <see cref="PieceOrigins"/> runs parallel to <see cref="Pieces"/> ("results[3].subSegments[1]").
/// </summary>
/// <remarks>
/// <see cref="Pieces"/> holds each identical piece once; <see cref="DuplicatePieces"/> is how many were folded
/// here, before any matcher sees them (a matcher's own duplicate count over these pieces starts at 0).
/// </remarks>
public sealed record HereParseResult(
    IReadOnlyList<FlowPiece> Pieces,
    int DroppedLowConfidence,
    int DuplicatePieces,
    DateTimeOffset? SourceUpdatedUtc,
    int ResultCount,
    string? Error,
    IReadOnlyList<string> PieceOrigins)
{
    public bool IsOk => Error is null;

    public static HereParseResult Fail(string error) => new([], 0, 0, null, 0, error, []);
}

/// <summary>
/// Reads a HERE Traffic API v7 <c>/v7/flow</c> body (<c>locationReferencing=shape</c>) into flow pieces, fail-closed:
/// an answer with one invalid result is refused whole (<see cref="ProviderStatus.ParseError"/>); nothing is
/// defaulted or invented. The rules are docs/METHODOLOGY.md §10:
/// <list type="bullet">
/// <item>A result's polyline is its <c>location.shape.links[].points</c> joined; a joint point shared by two
/// consecutive links is kept once.</item>
/// <item>One piece per result; when <c>currentFlow.subSegments</c> is present and every subSegment has a
/// <c>length</c>, one piece per subSegment instead: the polyline is cut at the cumulative subSegment lengths, scaled
/// so they sum to the polyline's measured (haversine) length, the cut points interpolated on the polyline.</item>
/// <item>Speeds are m/s in HERE (km/h in a <see cref="FlowPiece"/>). v = <c>speedUncapped</c>, else <c>speed</c>:
/// HERE caps <c>speed</c> at the legal limit but not <c>freeFlow</c>, so <c>speed</c> would report delay at free
/// flow wherever free flow exceeds the limit.</item>
/// <item>Confidence: the subSegment's, else the result's. Only HERE's real-time band (0.7, 1.0] counts: a piece at
/// or below the floor, or without confidence, is dropped and counted, never substituted.</item>
/// <item><c>traversability: "closed"</c> is a closure whatever its speed or confidence (see
/// <see cref="ClosureConfidence"/>). <c>jamFactor</c> is informational and not read.</item>
/// <item>Identical pieces (same polyline, speeds, closure) count once.</item>
/// </list>
/// </summary>
public static class HereFlowParser
{
    public const string ProviderName = "here";

    /// <summary>
    /// The confidence a closed piece carries. A closure is not a speed: HERE sends no confidence for it (its −1 band
    /// means "closed or not computed"), and the real-time floor, a rule about speed estimates, does not apply to
    /// it. 1.0 lets every floor in [0, 1] pass it, and where it overlaps an open piece on a bin the closure wins: a
    /// closed road has no speed to report. The matcher then keeps its bins out of every time sum and the section
    /// is reported <c>closed</c>.
    /// </summary>
    public const double ClosureConfidence = 1.0;

    private const string Closed = "closed";

    /// <summary>Parse a body. <paramref name="confidenceFloor"/> is exclusive: confidence ≤ floor is dropped.</summary>
    public static HereParseResult Parse(ReadOnlySpan<byte> utf8Json, string? trackingId, double confidenceFloor)
    {
        if (!(confidenceFloor is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(confidenceFloor), confidenceFloor, "The confidence floor must be in [0, 1].");

        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            doc = JsonDocument.ParseValue(ref reader);
            // ParseValue stops after one value; a second one (or trailing garbage) makes this Read throw.
            if (reader.Read())
            {
                doc.Dispose();
                return HereParseResult.Fail("body holds more than one JSON value");
            }
        }
        catch (JsonException ex)
        {
            return HereParseResult.Fail($"body is not valid JSON (line {ex.LineNumber}, byte {ex.BytePositionInLine})");
        }

        using (doc)
        {
            return Parse(doc.RootElement, trackingId, confidenceFloor);
        }
    }

    public static HereParseResult Parse(JsonElement root, string? trackingId, double confidenceFloor)
    {
        if (root.ValueKind != JsonValueKind.Object) return HereParseResult.Fail("body is not a JSON object");

        DateTimeOffset? sourceUpdated = null;
        if (root.TryGetProperty("sourceUpdated", out var su) && su.ValueKind != JsonValueKind.Null)
        {
            if (su.ValueKind != JsonValueKind.String ||
                !DateTimeOffset.TryParse(su.GetString(), CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return HereParseResult.Fail("'sourceUpdated' is neither null nor a time");
            }
            sourceUpdated = parsed;
        }

        if (!root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
            return HereParseResult.Fail("missing 'results' array");

        var state = new State(trackingId, confidenceFloor, results.GetArrayLength());
        var index = 0;
        foreach (var result in results.EnumerateArray())
        {
            if (ReadResult(result, index, state) is { } error) return HereParseResult.Fail(error);
            index++;
        }
        return new HereParseResult(state.Pieces, state.Dropped, state.Duplicates, sourceUpdated, index, null, state.Origins);
    }

    private sealed class State(string? trackingId, double floor, int capacity)
    {
        public string? TrackingId { get; } = trackingId;
        public double Floor { get; } = floor;
        public List<FlowPiece> Pieces { get; } = new(capacity);
        public List<string> Origins { get; } = new(capacity);
        public HashSet<string> Ids { get; } = new(capacity, StringComparer.Ordinal);
        public int Dropped { get; set; }
        public int Duplicates { get; set; }

        // Scratch reused for every result: the polyline and its cumulative haversine length.
        public List<GeoPoint> Points { get; } = new(256);
        public List<double> Cumulative { get; } = new(256);
    }

    /// <summary>The flow fields of a result's <c>currentFlow</c> or of one subSegment (null = absent).</summary>
    private readonly record struct Flow(double? Speed, double? SpeedUncapped, double? FreeFlow, double? Confidence, string? Traversability);

    private static string? ReadResult(JsonElement result, int r, State state)
    {
        var at = $"results[{r}]";
        if (result.ValueKind != JsonValueKind.Object) return $"{at} is not an object";
        if (!result.TryGetProperty("location", out var location) || location.ValueKind != JsonValueKind.Object ||
            !location.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Object ||
            !shape.TryGetProperty("links", out var links) || links.ValueKind != JsonValueKind.Array || links.GetArrayLength() == 0)
        {
            return $"{at}: missing 'location.shape.links' (locationReferencing=shape)";
        }

        if (ReadPolyline(links, at, state, out var functionalClass) is { } polylineError) return polylineError;
        var points = state.Points;
        var cumulative = state.Cumulative;
        if (points.Count < 2) return $"{at}: {points.Count} shape point(s); at least 2 are needed";
        var lengthMeters = cumulative[^1];
        if (!(lengthMeters > 0)) return $"{at}: the shape has zero length";

        if (!result.TryGetProperty("currentFlow", out var currentFlow) || currentFlow.ValueKind != JsonValueKind.Object)
            return $"{at}: missing 'currentFlow'";
        if (ReadFlow(currentFlow, out var flow) is { } flowError) return $"{at}.currentFlow: {flowError}";

        if (currentFlow.TryGetProperty("subSegments", out var subs) && subs.ValueKind != JsonValueKind.Null)
        {
            if (subs.ValueKind != JsonValueKind.Array) return $"{at}.currentFlow: 'subSegments' is not an array";
            if (ReadSubSegments(subs, at, out var subFlows, out var subLengths) is { } subError) return subError;
            if (subLengths is not null)
            {
                // Cut at the cumulative subSegment lengths, scaled so they sum to the measured polyline length
                // (HERE's lengths are its own, rounded; the shape is what the matcher sees).
                var scale = lengthMeters / subLengths.Sum();
                var from = 0.0;
                var segment = 1;
                var walked = 0.0;
                for (var k = 0; k < subFlows.Count; k++)
                {
                    walked += subLengths[k];
                    var to = k == subFlows.Count - 1 ? lengthMeters : Math.Min(lengthMeters, walked * scale);
                    var slice = Slice(points, cumulative, from, to, ref segment);
                    var subAt = $"{at}.currentFlow.subSegments[{k}]";
                    var sub = subFlows[k];
                    // A subSegment's confidence falls back to the result's, and so does traversability (a closed
                    // result with unlabelled subSegments is closed throughout); speeds never do: the result's are an
                    // average over other stretches. A closed subSegment inherits nothing but the closure.
                    var effective = sub with
                    {
                        Confidence = sub.Confidence ?? flow.Confidence,
                        Traversability = sub.Traversability ?? flow.Traversability,
                    };
                    if (AddPiece(effective, slice, functionalClass, subAt, state) is { } pieceError) return pieceError;
                    from = to;
                }
                return null;
            }
        }

        return AddPiece(flow, points.ToList(), functionalClass, at, state);
    }

    /// <summary>Joins the links' points into <see cref="State.Points"/> (a joint shared by two links once).</summary>
    private static string? ReadPolyline(JsonElement links, string at, State state, out string functionalClass)
    {
        var points = state.Points;
        var cumulative = state.Cumulative;
        points.Clear();
        cumulative.Clear();
        int? bestClass = null;
        functionalClass = "";
        var l = 0;
        foreach (var link in links.EnumerateArray())
        {
            if (link.ValueKind != JsonValueKind.Object || !link.TryGetProperty("points", out var linkPoints) ||
                linkPoints.ValueKind != JsonValueKind.Array)
            {
                return $"{at}.location.shape.links[{l}]: missing 'points'";
            }
            if (link.TryGetProperty("functionalClass", out var fc) && FunctionalClassOf(fc) is { } c)
                bestClass = bestClass is { } b ? Math.Min(b, c) : c;

            var p = 0;
            foreach (var point in linkPoints.EnumerateArray())
            {
                if (point.ValueKind != JsonValueKind.Object ||
                    !TryNumber(point, "lat", out var lat) || !TryNumber(point, "lng", out var lng) ||
                    lat is < -90 or > 90 || lng is < -180 or > 180)
                {
                    return $"{at}.location.shape.links[{l}].points[{p}] is not a valid latitude/longitude";
                }
                var g = new GeoPoint(lat, lng);
                p++;
                if (points.Count > 0 && points[^1] == g) continue; // the joint point the previous link ended on
                cumulative.Add(points.Count == 0 ? 0 : cumulative[^1] + Geo.HaversineMeters(points[^1], g));
                points.Add(g);
            }
            l++;
        }
        // HERE numbers functional classes 1 (motorway) to 5; the most important class a piece runs on names it.
        if (bestClass is { } best) functionalClass = "FRC" + best.ToString(CultureInfo.InvariantCulture);
        return null;
    }

    private static int? FunctionalClassOf(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetInt32(out var n) && n is >= 0 and <= 9 => n,
        JsonValueKind.String when int.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 9 => n,
        _ => null,
    };

    /// <summary>
    /// The subSegments' flows, and their lengths when every one has a <c>length</c> (null otherwise: the result is
    /// then one piece).
    /// </summary>
    private static string? ReadSubSegments(JsonElement subs, string at, out List<Flow> flows, out List<double>? lengths)
    {
        flows = new List<Flow>(subs.GetArrayLength());
        lengths = subs.GetArrayLength() > 0 ? new List<double>(subs.GetArrayLength()) : null;
        var k = 0;
        foreach (var sub in subs.EnumerateArray())
        {
            if (sub.ValueKind != JsonValueKind.Object) return $"{at}.currentFlow.subSegments[{k}] is not an object";
            if (ReadFlow(sub, out var flow) is { } error) return $"{at}.currentFlow.subSegments[{k}]: {error}";
            flows.Add(flow);
            if (sub.TryGetProperty("length", out var len) && len.ValueKind != JsonValueKind.Null)
            {
                if (len.ValueKind != JsonValueKind.Number || !len.TryGetDouble(out var meters) || !double.IsFinite(meters))
                    return $"{at}.currentFlow.subSegments[{k}]: 'length' is not a number";
                if (!(meters > 0)) return $"{at}.currentFlow.subSegments[{k}]: non-positive length {Inv(meters)}";
                lengths?.Add(meters);
            }
            else
            {
                lengths = null;
            }
            k++;
        }
        return null;
    }

    /// <summary>Reads and range-checks the flow fields present; the error (if any) names the field, not the place.</summary>
    private static string? ReadFlow(JsonElement e, out Flow flow)
    {
        flow = default;
        if (OptionalNumber(e, "speed", out var speed) is { } e1) return e1;
        if (OptionalNumber(e, "speedUncapped", out var uncapped) is { } e2) return e2;
        if (OptionalNumber(e, "freeFlow", out var freeFlow) is { } e3) return e3;
        if (OptionalNumber(e, "confidence", out var confidence) is { } e4) return e4;
        string? traversability = null;
        if (e.TryGetProperty("traversability", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.String) return "'traversability' is not a string";
            traversability = t.GetString();
        }

        if (speed < 0) return $"negative speed {Inv(speed.Value)}";
        if (uncapped < 0) return $"negative speedUncapped {Inv(uncapped.Value)}";
        if (freeFlow < 0) return $"negative freeFlow {Inv(freeFlow.Value)}";
        if (confidence is < -1 or > 1) return $"confidence {Inv(confidence.Value)} outside [-1, 1]";
        flow = new Flow(speed, uncapped, freeFlow, confidence, traversability);
        return null;
    }

    private static string? AddPiece(Flow flow, List<GeoPoint> points, string functionalClass, string at, State state)
    {
        var lengthMeters = Geo.PolylineLengthMeters(points);
        // Only a subSegment far shorter than floating-point resolution on the shape could come out empty.
        if (points.Count < 2 || !(lengthMeters > 0)) return $"{at}: no length left on the shape";
        double currentKmh, freeFlowKmh, currentSeconds, freeFlowSeconds, confidence;
        var closed = string.Equals(flow.Traversability, Closed, StringComparison.Ordinal);
        if (closed)
        {
            // A closure whatever HERE says of speed or confidence (it usually says nothing): no current speed, the
            // free-flow speed if given, times that are never negative or infinite.
            currentKmh = 0;
            currentSeconds = 0;
            freeFlowKmh = flow.FreeFlow is > 0 ? Units.MetersPerSecondToKmh(flow.FreeFlow.Value) : 0;
            freeFlowSeconds = flow.FreeFlow is > 0 ? lengthMeters / flow.FreeFlow.Value : 0;
            confidence = ClosureConfidence;
        }
        else
        {
            if (flow.FreeFlow is <= 0) return $"{at}: non-positive freeFlow {Inv(flow.FreeFlow.Value)} on an open piece";
            if (flow.Confidence is not { } c || c <= state.Floor)
            {
                state.Dropped++;
                return null;
            }
            var speed = flow.SpeedUncapped ?? flow.Speed;
            if (speed is null) return $"{at}: missing 'speedUncapped' and 'speed' on an open piece";
            if (flow.FreeFlow is null) return $"{at}: missing 'freeFlow' on an open piece";
            if (speed == 0) return $"{at}: speed 0 on a piece that is not closed";
            currentKmh = Units.MetersPerSecondToKmh(speed.Value);
            freeFlowKmh = Units.MetersPerSecondToKmh(flow.FreeFlow.Value);
            currentSeconds = lengthMeters / speed.Value;
            freeFlowSeconds = lengthMeters / flow.FreeFlow.Value;
            confidence = c;
        }

        var id = TomTomFlowParser.PieceIdOf(points, currentKmh, freeFlowKmh, closed);
        if (!state.Ids.Add(id))
        {
            state.Duplicates++;
            return null;
        }
        state.Pieces.Add(new FlowPiece(id, ProviderName, functionalClass, currentKmh, freeFlowKmh, currentSeconds, freeFlowSeconds,
            confidence, closed, points, state.TrackingId, null));
        state.Origins.Add(at);
        return null;
    }

    /// <summary>
    /// The part of the polyline between two distances along it, end points interpolated. <paramref name="segment"/>
    /// is the first segment still ahead (cuts come in increasing order, so the whole split is one pass).
    /// </summary>
    private static List<GeoPoint> Slice(List<GeoPoint> points, List<double> cumulative, double from, double to, ref int segment)
    {
        var slice = new List<GeoPoint>();
        while (segment < points.Count - 1 && cumulative[segment] <= from) segment++;
        slice.Add(At(points, cumulative, segment, from));
        var i = segment;
        for (; i < points.Count - 1 && cumulative[i] < to; i++)
        {
            if (points[i] != slice[^1]) slice.Add(points[i]);
        }
        var end = At(points, cumulative, Math.Max(1, i), to);
        if (end != slice[^1]) slice.Add(end);
        segment = Math.Max(1, i);
        return slice;
    }

    /// <summary>The point at <paramref name="distance"/> on segment (<paramref name="segment"/> − 1, <paramref name="segment"/>).</summary>
    private static GeoPoint At(List<GeoPoint> points, List<double> cumulative, int segment, double distance)
    {
        var a = points[segment - 1];
        var b = points[segment];
        var span = cumulative[segment] - cumulative[segment - 1];
        var f = span > 0 ? Math.Clamp((distance - cumulative[segment - 1]) / span, 0, 1) : 0;
        if (f == 0) return a;
        if (f == 1) return b;
        return new GeoPoint(a.LatitudeDeg + f * (b.LatitudeDeg - a.LatitudeDeg), a.LongitudeDeg + f * (b.LongitudeDeg - a.LongitudeDeg));
    }

    private static string? OptionalNumber(JsonElement e, string name, out double? value)
    {
        value = null;
        if (!e.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return null;
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetDouble(out var v) || !double.IsFinite(v))
            return $"'{name}' is not a number";
        value = v;
        return null;
    }

    private static bool TryNumber(JsonElement e, string name, out double value)
    {
        value = 0;
        return e.TryGetProperty(name, out var el) && el.ValueKind == JsonValueKind.Number && el.TryGetDouble(out value) &&
               double.IsFinite(value);
    }

    private static string Inv(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
