using System.Text.Json;

namespace Ayalon.Core.Corridor;

/// <summary>Loads and validates a corridor file in the <c>ayalon-segments</c> schema (see Corridor/ayalon_segments_v2.json).</summary>
public static class CorridorLoader
{
    public const string DefaultFileName = "Corridor/ayalon_segments_v2.json";
    public const string OsmAttribution = "© OpenStreetMap contributors";

    /// <summary>Tolerance between a section's declared length and its geometry's own length.</summary>
    public const double LengthToleranceFraction = 0.02;

    public static CorridorDefinition LoadDefault() =>
        LoadFile(Path.Combine(AppContext.BaseDirectory, DefaultFileName));

    public static CorridorDefinition LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CorridorValidationException($"Corridor file '{path}' does not exist.");
        }
        using var stream = File.OpenRead(path);
        return Load(stream, Path.GetFileName(path));
    }

    public static CorridorDefinition Load(Stream json, string sourceName)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new CorridorValidationException($"Corridor file '{sourceName}' is not valid JSON: {ex.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            var license = root.TryGetProperty("license", out var lic) ? lic.GetString() ?? "" : "";
            if (!root.TryGetProperty("segments", out var segments) || segments.ValueKind != JsonValueKind.Array)
            {
                throw new CorridorValidationException($"Corridor file '{sourceName}' has no 'segments' array.");
            }

            var sections = new List<CorridorSection>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var seg in segments.EnumerateArray())
            {
                var where = $"'{sourceName}' segment #{index}";
                var id = RequiredString(seg, "segment_id", where);
                where = $"'{sourceName}' segment '{id}'";
                if (!ids.Add(id)) throw new CorridorValidationException($"Corridor file {where}: duplicate id.");

                var geometry = new List<GeoPoint>();
                if (seg.TryGetProperty("geometry", out var geo) && geo.ValueKind == JsonValueKind.Array)
                {
                    foreach (var p in geo.EnumerateArray())
                    {
                        if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() < 2)
                            throw new CorridorValidationException($"Corridor file {where}: a geometry point is not [lat, lon].");
                        var lat = p[0].GetDouble();
                        var lon = p[1].GetDouble();
                        if (lat is < -90 or > 90 || lon is < -180 or > 180)
                            throw new CorridorValidationException($"Corridor file {where}: point ({lat}, {lon}) is out of range.");
                        geometry.Add(new GeoPoint(lat, lon));
                    }
                }
                if (geometry.Count < 2)
                    throw new CorridorValidationException($"Corridor file {where}: geometry needs at least 2 points.");

                var length = seg.TryGetProperty("length_m", out var lm) && lm.ValueKind == JsonValueKind.Number ? lm.GetDouble() : 0;
                if (!(length > 0))
                    throw new CorridorValidationException($"Corridor file {where}: length_m must be positive.");
                var geometryLength = Geo.PolylineLengthMeters(geometry);
                if (Math.Abs(geometryLength - length) > LengthToleranceFraction * length)
                    throw new CorridorValidationException(FormattableString.Invariant(
                        $"Corridor file {where}: length_m {length:0.0} differs from its geometry's length {geometryLength:0.0} by more than 2%."));

                var bearing = seg.TryGetProperty("mean_bearing_deg", out var mb) && mb.ValueKind == JsonValueKind.Number
                    ? mb.GetDouble()
                    : Geo.BearingDeg(geometry[0], geometry[^1]);

                sections.Add(new CorridorSection(
                    id,
                    OptionalString(seg, "road") ?? "",
                    OptionalString(seg, "carriageway") ?? "",
                    RequiredString(seg, "direction", where),
                    RequiredString(seg, "from", where),
                    RequiredString(seg, "to", where),
                    length,
                    bearing,
                    geometry));
                index++;
            }

            if (sections.Count == 0)
                throw new CorridorValidationException($"Corridor file '{sourceName}' has no segments.");

            var name = sections[0].Road.Length > 0 ? sections[0].Road : sourceName;
            return new CorridorDefinition(name, license, OsmAttribution, sections);
        }
    }

    private static string RequiredString(JsonElement e, string name, string where)
    {
        var value = OptionalString(e, name);
        if (string.IsNullOrWhiteSpace(value))
            throw new CorridorValidationException($"Corridor file {where}: '{name}' is missing or empty.");
        return value;
    }

    private static string? OptionalString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

public sealed class CorridorValidationException(string message) : Exception(message);
