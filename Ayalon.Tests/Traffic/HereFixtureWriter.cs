using System.Globalization;
using System.Text;
using System.Text.Json;
using Ayalon.Core.Corridor;

namespace Ayalon.Tests.Traffic;

/// <summary>
/// Writes <c>fixtures/here/</c>: HERE Traffic API v7 <c>/v7/flow</c> answers built from HERE's documented schema
/// over the shipped corridor geometry (both carriageways), not recordings. Deterministic: the checked-in files are
/// exactly what <see cref="Build"/> returns (a test holds that); regenerate after a deliberate change with
/// <c>AYALON_WRITE_HERE_FIXTURES=1 dotnet test Ayalon.Tests -c Release --filter "FullyQualifiedName~HereFixtureFileTests"</c>.
/// </summary>
/// <remarks>
/// Speeds are m/s as HERE sends them. The Ayalon's legal limit is taken as 25 m/s (90 km/h): <c>speed</c> is capped
/// there, <c>speedUncapped</c> and <c>freeFlow</c> are not. Where speeds change, they change at the corridor's
/// junctions and adjacent pieces have equal confidence, so every section's numbers follow by hand (see the tests
/// and docs/METHODOLOGY.md §10).
/// </remarks>
internal static class HereFixtureWriter
{
    public const double SpeedLimitMps = 25.0;
    public const double HistoricalTailMeters = 150;

    public const string CorrelationIdOk = "3f1c2a9e-5b7d-4e21-9a0c-6d8e2f4b1a70";
    public const string CorrelationIdFreeFlow = "8b2e6f14-0c3a-4d59-b7e1-29f5a8c3d601";
    public const string CorrelationIdEmpty = "c47d0e8a-1f2b-4a63-8e95-7b0c3d2e1f48";
    public const string CorrelationIdUnauthorized = "0e9a7c5b-3d1f-4b28-a6e4-5c8d2b0f7a13";
    public const string CorrelationIdRateLimited = "5a3b1c9d-7e2f-4061-b8a5-d4c2e0f9b736";
    public const string CorrelationIdServiceError = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";

    private static readonly CorridorDefinition Corridor = CorridorLoader.LoadDefault();

    /// <summary>Relative path under <c>fixtures/here/</c> → file content.</summary>
    public static IReadOnlyDictionary<string, string> Build()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var bbox = Bbox();

        files["congested/ayalon.body.json"] = Write(w => Congested(w));
        files["congested/ayalon.meta.json"] = Meta(bbox, 200, "Mon, 30 Nov 2026 06:46:12 GMT", CorrelationIdOk);
        files["free_flow/ayalon.body.json"] = Write(w => FreeFlow(w));
        files["free_flow/ayalon.meta.json"] = Meta(bbox, 200, "Sun, 29 Nov 2026 01:16:05 GMT", CorrelationIdFreeFlow);

        files["errors/empty.body.json"] = """{"sourceUpdated":null,"results":[]}""" + "\n";
        files["errors/empty.meta.json"] = Meta(bbox, 200, "Mon, 30 Nov 2026 06:50:02 GMT", CorrelationIdEmpty);
        files["errors/unauthorized.body.json"] = """{"error":"Unauthorized","error_description":"apiKey invalid. apiKey not found."}""" + "\n";
        files["errors/unauthorized.meta.json"] = Meta(bbox, 401, "Mon, 30 Nov 2026 06:50:03 GMT", CorrelationIdUnauthorized);
        files["errors/rate_limited.body.json"] = """{"error":"Too Many Requests","error_description":"Rate limit for this service has been reached"}""" + "\n";
        files["errors/rate_limited.meta.json"] = Meta(bbox, 429, "Mon, 30 Nov 2026 06:50:04 GMT", CorrelationIdRateLimited, retryAfter: "60");
        files["errors/service_error.body.json"] =
            $$"""{"title":"URI Too Long","status":414,"code":"E608045","cause":"The request URI is longer than the service accepts.","action":"Shorten the request.","correlationId":"{{CorrelationIdServiceError}}"}""" + "\n";
        files["errors/service_error.meta.json"] = Meta(bbox, 414, "Mon, 30 Nov 2026 06:50:05 GMT", CorrelationIdServiceError);
        return files;
    }

    /// <summary>The request's <c>in=bbox:W,S,E,N</c>: the corridor's bounds plus 500 m on every side.</summary>
    public static string Bbox()
    {
        var all = Corridor.Sections.SelectMany(s => s.Geometry).ToList();
        double south = all.Min(p => p.LatitudeDeg), north = all.Max(p => p.LatitudeDeg);
        double west = all.Min(p => p.LongitudeDeg), east = all.Max(p => p.LongitudeDeg);
        var dLat = 500 / 111_320.0;
        var dLon = 500 / (111_320.0 * Math.Cos(Geo.ToRadians((south + north) / 2)));
        return string.Create(CultureInfo.InvariantCulture,
            $"bbox:{west - dLon:0.0000},{south - dLat:0.0000},{east + dLon:0.0000},{north + dLat:0.0000}");
    }

    // ---- the two flow answers -------------------------------------------------------------------------------

    private static void Congested(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("sourceUpdated", "2026-11-30T06:45:00Z");
        w.WriteStartArray("results");

        // results[0]: Holon → La Guardia at free flow, faster than the legal limit: speed capped at 25.0,
        // speedUncapped = freeFlow = 27.2. Two subSegments with the same speeds (the first with its own confidence).
        var n1 = Geometry("ayalon_n_holon_laguardia");
        Result(w, "Ayalon North: Holon (11) → La Guardia (13)", n1, 1,
            new Flow(25.0, 27.2, 27.2, 0.4, 0.95),
            [Sub(1400, new Flow(25.0, 27.2, 27.2, 0.4, 0.97)), Sub(Length(n1) - 1400, new Flow(25.0, 27.2, 27.2, 0.3, null))]);

        // results[1]: La Guardia → Rokach across the Arlozorov junction: congested 12.5 m/s to Arlozorov (confidence
        // inherited from the result), 18.0 m/s after it, and a historical-profile tail (0.6) before Rokach.
        var n2 = Geometry("ayalon_n_laguardia_arlozorov");
        var n3 = Geometry("ayalon_n_arlozorov_rokach");
        var n23 = Join(n2, n3);
        Result(w, "Ayalon North: La Guardia (13) → Rokach (17)", n23, 1,
            new Flow(15.2, 15.2, 25.0, 5.1, 0.95),
            [
                Sub(Length(n2), new Flow(12.5, 12.5, 25.0, 6.4, null)),
                Sub(Length(n3) - HistoricalTailMeters, new Flow(18.0, 18.0, 25.0, 3.6, 0.95)),
                Sub(Length(n23) - Length(n2) - (Length(n3) - HistoricalTailMeters), new Flow(21.0, 21.0, 25.0, 1.9, 0.6)),
            ]);

        // results[2]: results[0] again, identical: its two pieces count once.
        Result(w, "Ayalon North: Holon (11) → La Guardia (13)", n1, 1,
            new Flow(25.0, 27.2, 27.2, 0.4, 0.95),
            [Sub(1400, new Flow(25.0, 27.2, 27.2, 0.4, 0.97)), Sub(Length(n1) - 1400, new Flow(25.0, 27.2, 27.2, 0.3, null))]);

        // results[3]: a parallel road 60 m east of La Guardia → Arlozorov, same direction, congested: beyond the
        // 20 m match distance, it must match nothing.
        Result(w, "Parallel road (synthetic), northbound", Shift(n2, 60), 2, new Flow(8.0, 8.0, 16.7, 4.8, 0.9), null);

        // results[4]: an exit ramp leaving the northbound carriageway at Arlozorov at 55° to it: within 20 m of the
        // corridor at its start, but never within 35° of its bearing.
        Result(w, "Ramp (synthetic): Ayalon North → Arlozorov", Ramp(n2[^1], Geo.BearingDeg(n3[0], n3[3]) + 55, 5, 60), 2,
            new Flow(10.0, 10.0, 15.0, 3.3, 0.9), null);

        // results[5]: Rokach → La Guardia southbound at free flow, one piece (no subSegments).
        var s12 = Join(Geometry("ayalon_s_rokach_arlozorov"), Geometry("ayalon_s_arlozorov_laguardia"));
        Result(w, "Ayalon South: Rokach (17) → La Guardia (13)", s12, 1, new Flow(25.0, 26.1, 26.1, 0.5, 0.93), null);

        // results[6]: La Guardia → Holon southbound with a closed stretch in the middle: HERE sends the closed
        // subSegment without speed, speedUncapped, freeFlow or confidence.
        var s3 = Geometry("ayalon_s_laguardia_holon");
        Result(w, "Ayalon South: La Guardia (13) → Holon (11)", s3, 1,
            new Flow(25.0, 26.1, 26.1, 2.1, 0.93),
            [
                Sub(1000, new Flow(25.0, 26.1, 26.1, 0.5, 0.93)),
                Sub(400, Flow.Closed),
                Sub(Length(s3) - 1400, new Flow(25.0, 26.1, 26.1, 0.6, 0.93)),
            ]);

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void FreeFlow(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("sourceUpdated", "2026-11-29T01:15:00Z");
        w.WriteStartArray("results");

        // Night-time free flow on both carriageways. Wherever free flow is above the 25 m/s limit, HERE's capped
        // `speed` is 25.0 while speedUncapped = freeFlow; on Arlozorov → Rokach free flow is below the limit and
        // the two speeds agree.
        var n1 = Geometry("ayalon_n_holon_laguardia");
        Result(w, "Ayalon North: Holon (11) → La Guardia (13)", n1, 1, new Flow(25.0, 27.2, 27.2, 0.0, 0.98), null);
        var n2 = Geometry("ayalon_n_laguardia_arlozorov");
        var n3 = Geometry("ayalon_n_arlozorov_rokach");
        var n23 = Join(n2, n3);
        Result(w, "Ayalon North: La Guardia (13) → Rokach (17)", n23, 1, new Flow(23.6, 24.1, 24.1, 0.0, 0.98),
            [Sub(Length(n2), new Flow(25.0, 26.4, 26.4, 0.0, null)), Sub(Length(n23) - Length(n2), new Flow(22.2, 22.2, 22.2, 0.0, null))]);

        var s1 = Geometry("ayalon_s_rokach_arlozorov");
        var s2 = Geometry("ayalon_s_arlozorov_laguardia");
        var s3 = Geometry("ayalon_s_laguardia_holon");
        var south = Join(Join(s1, s2), s3);
        Result(w, "Ayalon South: Rokach (17) → Holon (11)", south, 1, new Flow(25.0, 26.3, 26.3, 0.0, 0.98),
            [
                Sub(Length(s1), new Flow(25.0, 26.1, 26.1, 0.0, 0.98)),
                Sub(Length(s2), new Flow(25.0, 25.6, 25.6, 0.0, 0.98)),
                Sub(Length(south) - Length(s1) - Length(s2), new Flow(25.0, 27.5, 27.5, 0.0, 0.98)),
            ]);

        w.WriteEndArray();
        w.WriteEndObject();
    }

    // ---- building blocks ----------------------------------------------------------------------------------

    /// <summary>One flow record; null fields are left out of the JSON (HERE omits them).</summary>
    private sealed record Flow(double? Speed, double? SpeedUncapped, double? FreeFlow, double JamFactor, double? Confidence, string Traversability = "open")
    {
        public static Flow Closed { get; } = new(null, null, null, 10.0, null, "closed");
    }

    private sealed record SubSegment(double LengthMeters, Flow Flow);

    /// <summary>HERE gives subSegment lengths in whole metres; they need not add up to the shape's length.</summary>
    private static SubSegment Sub(double lengthMeters, Flow flow) => new(Math.Round(lengthMeters), flow);

    private static void Result(Utf8JsonWriter w, string description, IReadOnlyList<GeoPoint> points, int functionalClass, Flow flow,
        IReadOnlyList<SubSegment>? subSegments)
    {
        w.WriteStartObject();
        w.WriteStartObject("location");
        w.WriteString("description", description);
        w.WriteNumber("length", Math.Round(Length(points), 1));
        w.WriteStartObject("shape");
        w.WriteStartArray("links");
        foreach (var link in Links(points))
        {
            w.WriteStartObject();
            w.WriteStartArray("points");
            foreach (var p in link)
            {
                w.WriteStartObject();
                w.WriteNumber("lat", p.LatitudeDeg);
                w.WriteNumber("lng", p.LongitudeDeg);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("length", Math.Round(Length(link), 1));
            w.WriteNumber("functionalClass", functionalClass);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();

        w.WritePropertyName("currentFlow");
        WriteFlow(w, flow, null, subSegments);
        w.WriteEndObject();
    }

    private static void WriteFlow(Utf8JsonWriter w, Flow flow, double? lengthMeters, IReadOnlyList<SubSegment>? subSegments)
    {
        w.WriteStartObject();
        if (lengthMeters is { } l) w.WriteNumber("length", l);
        if (flow.Speed is { } s) w.WriteNumber("speed", s);
        if (flow.SpeedUncapped is { } u) w.WriteNumber("speedUncapped", u);
        if (flow.FreeFlow is { } f) w.WriteNumber("freeFlow", f);
        w.WriteNumber("jamFactor", flow.JamFactor);
        if (flow.Confidence is { } c) w.WriteNumber("confidence", c);
        w.WriteString("traversability", flow.Traversability);
        if (subSegments is not null)
        {
            w.WriteStartArray("subSegments");
            foreach (var sub in subSegments) WriteFlow(w, sub.Flow, sub.LengthMeters, null);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>Links of about 12 points; consecutive links share their joint point, as HERE's do.</summary>
    private static List<List<GeoPoint>> Links(IReadOnlyList<GeoPoint> points)
    {
        var links = new List<List<GeoPoint>>();
        var start = 0;
        while (start < points.Count - 1)
        {
            var end = Math.Min(points.Count - 1, start + 11);
            if (points.Count - 1 - end is > 0 and < 3) end = points.Count - 1; // no 1- or 2-segment stub at the end
            links.Add(points.Skip(start).Take(end - start + 1).ToList());
            start = end;
        }
        return links;
    }

    /// <summary>A section's geometry at HERE's precision (6 decimals, ~0.1 m).</summary>
    private static List<GeoPoint> Geometry(string sectionId) =>
        Corridor.Find(sectionId)!.Geometry.Select(p => new GeoPoint(Math.Round(p.LatitudeDeg, 6), Math.Round(p.LongitudeDeg, 6))).ToList();

    /// <summary>Two consecutive sections' geometries: the junction point they share appears once.</summary>
    private static List<GeoPoint> Join(List<GeoPoint> a, List<GeoPoint> b) =>
        a[^1] == b[0] ? [.. a, .. b.Skip(1)] : [.. a, .. b];

    private static double Length(IReadOnlyList<GeoPoint> points) => Geo.PolylineLengthMeters(points);

    private static List<GeoPoint> Shift(List<GeoPoint> points, double eastMeters) =>
        points.Select(p => new GeoPoint(p.LatitudeDeg,
            Math.Round(p.LongitudeDeg + eastMeters / (111_320.0 * Math.Cos(Geo.ToRadians(p.LatitudeDeg))), 6))).ToList();

    private static List<GeoPoint> Ramp(GeoPoint start, double bearingDeg, int points, double stepMeters)
    {
        var list = new List<GeoPoint> { start };
        var b = Geo.ToRadians(bearingDeg);
        for (var i = 1; i < points; i++)
        {
            var d = i * stepMeters;
            list.Add(new GeoPoint(
                Math.Round(start.LatitudeDeg + d * Math.Cos(b) / 111_320.0, 6),
                Math.Round(start.LongitudeDeg + d * Math.Sin(b) / (111_320.0 * Math.Cos(Geo.ToRadians(start.LatitudeDeg))), 6)));
        }
        return list;
    }

    private static string Meta(string bbox, int status, string date, string correlationId, string? retryAfter = null)
    {
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("request");
            w.WriteString("path", "/v7/flow");
            w.WriteStartObject("query");
            w.WriteString("in", bbox);
            w.WriteString("locationReferencing", "shape");
            w.WriteString("functionalClasses", "1,2");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("response");
            w.WriteNumber("status", status);
            w.WriteStartObject("headers");
            w.WriteString("content-type", "application/json");
            w.WriteString("date", date);
            if (retryAfter is not null) w.WriteString("retry-after", retryAfter);
            w.WriteString("x-correlation-id", correlationId);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions
               {
                   Indented = true,
                   Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
        {
            write(w);
        }
        return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }
}
