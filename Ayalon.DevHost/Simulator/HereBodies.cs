using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ayalon.DevHost.Simulator;

/// <summary>Speeds of one result or subSegment in metres per second, as HERE sends them.</summary>
public readonly record struct HereFlowSpeeds(double SpeedMps, double SpeedUncappedMps, double FreeFlowMps, double JamFactor);

/// <summary>
/// The bodies HERE Traffic API v7 sends (<c>/v7/flow</c>, its errors, the OAuth token endpoint), written from HERE's
/// documented schema: speeds in m/s, <c>speed</c> capped at the legal limit, <c>speedUncapped</c> and
/// <c>freeFlow</c> not.
/// </summary>
public static class HereBodies
{
    /// <summary>What HERE answers when nothing in the area has flow: literally this.</summary>
    public static readonly byte[] Empty = """{"sourceUpdated":null,"results":[]}"""u8.ToArray();

    /// <summary>HERE's gateway answer to a request without an apiKey or a bearer token.</summary>
    public const string NoCredentialsDescription = "No credentials found";

    public const string InvalidApiKeyDescription = "apiKey invalid. apiKey not found.";

    public const string InvalidTokenDescription = "Token Validation Failure";

    public const string ExpiredTokenDescription = "Token Validation Failure - invalid time claims";

    /// <summary>The confidence of HERE's "historical profile" band, sent by the low_confidence fault.</summary>
    public const double HistoricalConfidence = 0.6;

    private const int SpeedDecimals = 6;

    /// <summary>
    /// Speeds of every subSegment of every result, from the diurnal pattern at <paramref name="utc"/>. Each
    /// carriageway keeps the pattern's speeds as a whole: its delay (travel time over free-flow travel time) is
    /// spread over its subSegments with length-weighted factors averaging exactly 1, so the carriageway's travel time
    /// equals the TomTom surface's at the same seed and time, while subSegments differ from one another. At free flow
    /// every subSegment is at free flow.
    /// </summary>
    public static IReadOnlyDictionary<HereResultShape, HereFlowSpeeds[]> LiveSpeeds(
        HereRoadNetwork network, DiurnalTrafficPattern pattern, DateTimeOffset utc, double speedLimitKmh)
    {
        var speeds = new Dictionary<HereResultShape, HereFlowSpeeds[]>();
        foreach (var carriageway in network.Results.GroupBy(r => r.Direction, StringComparer.Ordinal))
        {
            var direction = carriageway.Key;
            var pace = pattern.At(direction, utc);
            var freeFlowKmh = (double)pace.FreeFlowSpeedKmh;
            var extraSecondsPerMeter = 3.6 / pace.CurrentSpeedKmh - 3.6 / freeFlowKmh;
            var subs = carriageway.SelectMany(r => r.SubSegments).ToList();
            var raw = subs.ToDictionary(s => s.IndexInCarriageway, s => 0.6 + 0.8 * pattern.AlongRoad(direction, s.IndexInCarriageway, utc));
            var weightedMean = subs.Sum(s => s.LengthMeters * raw[s.IndexInCarriageway]) / subs.Sum(s => s.LengthMeters);
            foreach (var result in carriageway)
            {
                speeds[result] = result.SubSegments
                    .Select(s =>
                    {
                        var uncappedMps = 1 / (3.6 / freeFlowKmh + raw[s.IndexInCarriageway] / weightedMean * extraSecondsPerMeter);
                        return Speeds(uncappedMps, freeFlowKmh / 3.6, speedLimitKmh / 3.6);
                    })
                    .ToArray();
            }
        }
        return speeds;
    }

    /// <summary>A result's own speeds: its length over the sum of its subSegments' travel times.</summary>
    public static HereFlowSpeeds Combine(HereResultShape result, HereFlowSpeeds[] subSegments, double speedLimitKmh)
    {
        var seconds = 0.0;
        for (var i = 0; i < subSegments.Length; i++) seconds += result.SubSegments[i].LengthMeters / subSegments[i].SpeedUncappedMps;
        return Speeds(result.LengthMeters / seconds, subSegments[0].FreeFlowMps, speedLimitKmh / 3.6);
    }

    private static HereFlowSpeeds Speeds(double uncappedMps, double freeFlowMps, double limitMps)
    {
        // HERE's jam factor runs 0 (free flow) to 10 (closed); its exact formula is not published and clients ignore it.
        var jam = Math.Round(Math.Clamp(12 * (1 - uncappedMps / freeFlowMps), 0, 9.9), 1);
        return new HereFlowSpeeds(
            Math.Round(Math.Min(uncappedMps, limitMps), SpeedDecimals),
            Math.Round(uncappedMps, SpeedDecimals),
            Math.Round(freeFlowMps, SpeedDecimals),
            jam);
    }

    /// <summary>A <c>/v7/flow</c> answer over the given results (empty results give HERE's empty answer).</summary>
    public static byte[] Flow(
        IReadOnlyList<HereResultShape> results,
        IReadOnlyDictionary<HereResultShape, HereFlowSpeeds[]> speeds,
        DateTimeOffset sourceUpdatedUtc,
        bool includeShape,
        double confidence,
        double speedLimitKmh)
    {
        if (results.Count == 0) return Empty.ToArray();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("sourceUpdated", sourceUpdatedUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteStartArray("results");
            foreach (var result in results)
            {
                var subSpeeds = speeds[result];
                w.WriteStartObject();
                w.WriteStartObject("location");
                w.WriteString("description", result.Description);
                w.WriteNumber("length", Math.Round(result.LengthMeters, 1));
                if (includeShape)
                {
                    w.WriteStartObject("shape");
                    w.WriteStartArray("links");
                    foreach (var link in result.Links)
                    {
                        w.WriteStartObject();
                        w.WriteStartArray("points");
                        foreach (var p in link.Points)
                        {
                            w.WriteStartObject();
                            w.WriteNumber("lat", p.LatitudeDeg);
                            w.WriteNumber("lng", p.LongitudeDeg);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteNumber("length", Math.Round(link.LengthMeters, 1));
                        w.WriteNumber("functionalClass", 1);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndObject();

                w.WriteStartObject("currentFlow");
                WriteSpeeds(w, Combine(result, subSpeeds, speedLimitKmh), confidence);
                w.WriteStartArray("subSegments");
                for (var i = 0; i < result.SubSegments.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("length", Math.Round(result.SubSegments[i].LengthMeters, 1));
                    WriteSpeeds(w, subSpeeds[i], confidence);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteSpeeds(Utf8JsonWriter w, HereFlowSpeeds s, double confidence)
    {
        w.WriteNumber("speed", s.SpeedMps);
        w.WriteNumber("speedUncapped", s.SpeedUncappedMps);
        w.WriteNumber("freeFlow", s.FreeFlowMps);
        w.WriteNumber("jamFactor", s.JamFactor);
        w.WriteNumber("confidence", confidence);
        w.WriteString("traversability", "open");
    }

    /// <summary>
    /// A data fault applied to any HERE flow body (live or recorded): every result's <c>currentFlow</c> and every
    /// subSegment rewritten.
    /// </summary>
    public static byte[] WithFault(byte[] flowBody, FaultKind kind)
    {
        var root = JsonNode.Parse(flowBody)!;
        foreach (var result in root["results"]?.AsArray() ?? [])
        {
            if (result?["currentFlow"] is not JsonObject flow) continue;
            var items = new List<JsonObject> { flow };
            items.AddRange((flow["subSegments"]?.AsArray() ?? []).OfType<JsonObject>());
            foreach (var item in items)
            {
                switch (kind)
                {
                    case FaultKind.LowConfidence:
                        item["confidence"] = HistoricalConfidence;
                        break;
                    case FaultKind.RoadClosure:
                        // As HERE sends a closed item: no speed and no confidence, jam factor 10; free flow stays.
                        item.Remove("speed");
                        item.Remove("speedUncapped");
                        item.Remove("confidence");
                        item["jamFactor"] = 10;
                        item["traversability"] = "closed";
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a data fault");
                }
            }
        }
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    /// <summary>Starts like an answer, then is not JSON.</summary>
    public static byte[] Malformed() =>
        "{\"sourceUpdated\":\"2026-01-01T00:00:00Z\",\"results\":[{location:<html>upstream error</html>"u8.ToArray();

    /// <summary>HERE's gateway error shape (authentication and rate limits): <c>{"error","error_description"}</c>.</summary>
    public static byte[] GatewayError(string error, string description) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["error"] = error, ["error_description"] = description });

    /// <summary>HERE's service error shape (<c>{"title","status","code","cause","action","correlationId"}</c>).</summary>
    public static byte[] ServiceError(int status, string title, string code, string cause, string action, string correlationId) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["title"] = title,
            ["status"] = status,
            ["code"] = code,
            ["cause"] = cause,
            ["action"] = action,
            ["correlationId"] = correlationId,
        });

    /// <summary>The token endpoint's answer.</summary>
    public static byte[] Token(string accessToken, int expiresInSeconds) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["access_token"] = accessToken,
            ["token_type"] = "bearer",
            ["expires_in"] = expiresInSeconds,
        });

    /// <summary>
    /// The token endpoint's error shape, as HERE's authentication service sends it: its numeric <c>errorCode</c>
    /// (e.g. 401300 signature mismatch, 401204 timestamp outside the valid period) both alone and in the OAuth 2.0
    /// <c>error</c>/<c>error_description</c> pair.
    /// </summary>
    public static byte[] TokenError(int status, int errorCode, string message, string oauthError) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["errorId"] = "ERROR-" + Guid.NewGuid().ToString("D"),
            ["httpStatus"] = status,
            ["errorCode"] = errorCode,
            ["message"] = message,
            ["error"] = oauthError,
            ["error_description"] = string.Create(CultureInfo.InvariantCulture, $"errorCode: '{errorCode}'. {message}"),
        });
}
