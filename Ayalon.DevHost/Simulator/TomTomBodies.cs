using System.Text.Json;
using System.Text.Json.Nodes;
using Ayalon.Core.Corridor;

namespace Ayalon.DevHost.Simulator;

/// <summary>The bodies TomTom Flow Segment Data v4 sends, written in its field order and number formats.</summary>
public static class TomTomBodies
{
    public const string NoCoverageMessage = "Point too far from nearest existing segment.";

    /// <summary>What recorded answers carry in <c>@version</c>.</summary>
    public const string Version = "4";

    public const double KmhPerMph = 1.609344;

    /// <summary>
    /// A flow answer. Speeds are integers like TomTom's; travel times are the polyline's own length over those
    /// integer speeds, rounded to whole seconds, so a client can check one against the other.
    /// </summary>
    public static byte[] Flow(Carriageway road, TrafficSpeeds speeds, bool mph, string frc = "FRC1", double confidence = 1.0)
    {
        int ToUnit(int kmh) => mph ? (int)Math.Round(kmh / KmhPerMph, MidpointRounding.AwayFromZero) : kmh;
        var current = ToUnit(speeds.CurrentSpeedKmh);
        var freeFlow = ToUnit(speeds.FreeFlowSpeedKmh);
        var metersPerSecondPerUnit = mph ? KmhPerMph / 3.6 : 1 / 3.6;

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("flowSegmentData");
            w.WriteString("frc", frc);
            w.WriteNumber("currentSpeed", current);
            w.WriteNumber("freeFlowSpeed", freeFlow);
            w.WriteNumber("currentTravelTime", TravelTimeSeconds(road.LengthMeters, current * metersPerSecondPerUnit));
            w.WriteNumber("freeFlowTravelTime", TravelTimeSeconds(road.LengthMeters, freeFlow * metersPerSecondPerUnit));
            w.WriteNumber("confidence", confidence);
            w.WriteBoolean("roadClosure", false);
            w.WriteStartObject("coordinates");
            w.WriteStartArray("coordinate");
            foreach (var p in road.Points)
            {
                w.WriteStartObject();
                w.WriteNumber("latitude", p.LatitudeDeg);
                w.WriteNumber("longitude", p.LongitudeDeg);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteString("@version", Version);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static long TravelTimeSeconds(double lengthMeters, double speedMetersPerSecond) =>
        (long)Math.Round(lengthMeters / speedMetersPerSecond, MidpointRounding.AwayFromZero);

    /// <summary>TomTom's error shape (see fixtures/tomtom/errors).</summary>
    public static byte[] Error(int status, string error, string code, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["error"] = error,
            ["httpStatusCode"] = status,
            ["detailedError"] = new JsonObject { ["code"] = code, ["message"] = message },
        });

    public static byte[] NoCoverage() => Error(400, NoCoverageMessage, "INVALID_REQUEST", NoCoverageMessage);

    public static byte[] Forbidden(string message = "The supplied API Key is not valid for this request.") =>
        Error(403, "Forbidden", "FORBIDDEN", message);

    public static byte[] InvalidRequest(string message) => Error(400, "Invalid request: " + message, "INVALID_REQUEST", message);

    /// <summary>A data fault applied to a good answer: the JSON is rewritten with the one field changed.</summary>
    public static byte[] WithFault(byte[] flowBody, FaultKind kind)
    {
        var root = JsonNode.Parse(flowBody)!;
        var f = root["flowSegmentData"]!.AsObject();
        switch (kind)
        {
            case FaultKind.LowConfidence:
                f["confidence"] = 0.5;
                break;
            case FaultKind.RoadClosure:
                // A closed road has no current speed; TomTomFlowParser accepts speed 0 and time 0 only with roadClosure.
                f["currentSpeed"] = 0;
                f["currentTravelTime"] = 0;
                f["roadClosure"] = true;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a data fault");
        }
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    /// <summary>Looks like the start of an answer, then is not JSON (unquoted names, a stray HTML fragment).</summary>
    public static byte[] Malformed() =>
        "{\"flowSegmentData\":{frc:FRC1,\"currentSpeed\":<html>upstream error</html>"u8.ToArray();

    internal static GeoPoint? TryParsePoint(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Split(',');
        if (parts.Length != 2) return null;
        if (!double.TryParse(parts[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var lat) ||
            !double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var lon) ||
            !double.IsFinite(lat) || !double.IsFinite(lon) || lat is < -90 or > 90 || lon is < -180 or > 180)
        {
            return null;
        }
        return new GeoPoint(lat, lon);
    }
}
