using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ayalon.Core.Corridor;

namespace Ayalon.Core.Traffic;

/// <summary>Outcome of reading one provider answer: a piece, or the reason it was refused.</summary>
public sealed record FlowParseResult(FlowPiece? Piece, string? Error)
{
    public bool IsOk => Piece is not null;
    public static FlowParseResult Fail(string error) => new(null, error);
}

/// <summary>
/// Reads a TomTom Traffic Flow Segment Data v4 body and validates it fail-closed: an answer missing a required
/// field or holding an impossible value is refused whole (<see cref="ProviderStatus.ParseError"/>); nothing is
/// defaulted or invented.
/// </summary>
public static class TomTomFlowParser
{
    public const string ProviderName = "tomtom";

    public static FlowParseResult Parse(ReadOnlySpan<byte> utf8Json, string? trackingId = null)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            using var doc = JsonDocument.ParseValue(ref reader);
            return Parse(doc.RootElement, trackingId);
        }
        catch (JsonException ex)
        {
            return FlowParseResult.Fail($"body is not valid JSON (line {ex.LineNumber}, byte {ex.BytePositionInLine})");
        }
    }

    public static FlowParseResult Parse(string json, string? trackingId = null) =>
        Parse(Encoding.UTF8.GetBytes(json), trackingId);

    public static FlowParseResult Parse(JsonElement root, string? trackingId = null)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("flowSegmentData", out var f) ||
            f.ValueKind != JsonValueKind.Object)
        {
            return FlowParseResult.Fail("missing 'flowSegmentData'");
        }

        if (!TryNumber(f, "currentSpeed", out var currentSpeed, out var err) ||
            !TryNumber(f, "freeFlowSpeed", out var freeFlowSpeed, out err) ||
            !TryNumber(f, "currentTravelTime", out var currentTime, out err) ||
            !TryNumber(f, "freeFlowTravelTime", out var freeFlowTime, out err) ||
            !TryNumber(f, "confidence", out var confidence, out err))
        {
            return FlowParseResult.Fail(err!);
        }

        if (!f.TryGetProperty("roadClosure", out var closureEl) ||
            closureEl.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return FlowParseResult.Fail("missing or non-boolean 'roadClosure'");
        }
        var closure = closureEl.GetBoolean();

        if (confidence is < 0 or > 1) return FlowParseResult.Fail($"confidence {Inv(confidence)} outside [0, 1]");
        if (currentSpeed < 0) return FlowParseResult.Fail($"negative currentSpeed {Inv(currentSpeed)}");
        if (freeFlowSpeed <= 0) return FlowParseResult.Fail($"non-positive freeFlowSpeed {Inv(freeFlowSpeed)}");
        if (currentSpeed == 0 && !closure) return FlowParseResult.Fail("currentSpeed 0 without a road closure");
        if (freeFlowTime <= 0) return FlowParseResult.Fail($"non-positive freeFlowTravelTime {Inv(freeFlowTime)}");
        if (currentTime <= 0 && !closure) return FlowParseResult.Fail($"non-positive currentTravelTime {Inv(currentTime)}");

        if (!f.TryGetProperty("coordinates", out var coords) || coords.ValueKind != JsonValueKind.Object ||
            !coords.TryGetProperty("coordinate", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return FlowParseResult.Fail("missing 'coordinates.coordinate'");
        }

        var points = new List<GeoPoint>(list.GetArrayLength());
        foreach (var c in list.EnumerateArray())
        {
            if (c.ValueKind != JsonValueKind.Object ||
                !TryNumber(c, "latitude", out var lat, out _) || !TryNumber(c, "longitude", out var lon, out _) ||
                lat is < -90 or > 90 || lon is < -180 or > 180)
            {
                return FlowParseResult.Fail($"coordinate #{points.Count} is not a valid latitude/longitude");
            }
            points.Add(new GeoPoint(lat, lon));
        }
        if (points.Count < 2) return FlowParseResult.Fail($"{points.Count} coordinates; at least 2 are needed");

        var frc = f.TryGetProperty("frc", out var frcEl) && frcEl.ValueKind == JsonValueKind.String ? frcEl.GetString()! : "";
        var version = f.TryGetProperty("@version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        var piece = new FlowPiece(
            PieceIdOf(points, currentSpeed, freeFlowSpeed, closure),
            ProviderName,
            frc,
            currentSpeed,
            freeFlowSpeed,
            currentTime,
            freeFlowTime,
            confidence,
            closure,
            points,
            trackingId,
            version);
        return new FlowParseResult(piece, null);
    }

    /// <summary>
    /// A content id: the same polyline with the same speeds is the same piece, whichever probe point returned it
    /// (TomTom answers two Ayalon probes with one 9 km segment; it must count once).
    /// </summary>
    public static string PieceIdOf(IReadOnlyList<GeoPoint> points, double currentSpeedKmh, double freeFlowSpeedKmh, bool closure)
    {
        var sb = new StringBuilder(points.Count * 24);
        foreach (var p in points)
        {
            sb.Append(p.LatitudeDeg.ToString("R", CultureInfo.InvariantCulture)).Append(',')
              .Append(p.LongitudeDeg.ToString("R", CultureInfo.InvariantCulture)).Append(';');
        }
        sb.Append(Inv(currentSpeedKmh)).Append('|').Append(Inv(freeFlowSpeedKmh)).Append('|').Append(closure ? '1' : '0');
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }

    private static bool TryNumber(JsonElement e, string name, out double value, out string? error)
    {
        value = 0;
        if (!e.TryGetProperty(name, out var el))
        {
            error = $"missing '{name}'";
            return false;
        }
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetDouble(out value) || !double.IsFinite(value))
        {
            error = $"'{name}' is not a number";
            return false;
        }
        error = null;
        return true;
    }

    private static string Inv(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
