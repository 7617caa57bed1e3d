using System.Text.Json;
using Ayalon.Core.Corridor;

namespace Ayalon.DevHost.Simulator;

/// <summary>
/// One recorded (or schema-written) HERE <c>/v7/flow</c> answer: <c>NAME.json</c> (the body, served byte for byte)
/// and an optional <c>NAME.meta.json</c> (<c>{"response":{"status":…,"headers":{"content-type":…}}}</c>; without it,
/// 200 JSON). <see cref="Extent"/> is the box of every shape point in the body, null when it has none.
/// </summary>
public sealed record HereReplayRecording(string Name, int StatusCode, string ContentType, byte[] Body, GeoBox? Extent);

/// <summary>
/// A folder of HERE answers (e.g. fixtures/here/&lt;set&gt;/). A request is answered with the first recording, in file
/// name order, whose shape intersects the requested bbox, or whose status is not 200 (an error answer is served
/// whatever the area); a bbox that meets none gets HERE's empty answer.
/// </summary>
public sealed class HereReplayLibrary
{
    private HereReplayLibrary(string set, IReadOnlyList<HereReplayRecording> recordings)
    {
        Set = set;
        Recordings = recordings;
    }

    public string Set { get; }

    public IReadOnlyList<HereReplayRecording> Recordings { get; }

    public static HereReplayLibrary Load(string directory, string set)
    {
        var folder = ReplaySets.Folder(directory, set, "HERE");

        var recordings = new List<HereReplayRecording>();
        foreach (var bodyPath in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(bodyPath);
            if (fileName.EndsWith(".meta.json", StringComparison.Ordinal)) continue;
            var name = fileName[..^".json".Length];
            if (name.EndsWith(".body", StringComparison.Ordinal)) name = name[..^".body".Length];
            var body = File.ReadAllBytes(bodyPath);
            if (IsTomTomAnswer(body)) continue; // one folder may hold both providers' answers
            var status = 200;
            var contentType = "application/json";
            var metaPath = Path.Combine(folder, name + ".meta.json");
            if (File.Exists(metaPath))
            {
                using var meta = JsonDocument.Parse(File.ReadAllBytes(metaPath));
                if (meta.RootElement.TryGetProperty("response", out var response))
                {
                    if (response.TryGetProperty("status", out var s)) status = s.GetInt32();
                    if (response.TryGetProperty("headers", out var headers) &&
                        headers.TryGetProperty("content-type", out var ct) && ct.GetString() is { Length: > 0 } type)
                    {
                        contentType = type;
                    }
                }
            }
            recordings.Add(new HereReplayRecording(name, status, contentType, body, status == 200 ? ExtentOf(name, body) : null));
        }
        if (recordings.Count == 0) throw new InvalidDataException($"HERE replay set '{set}' holds no *.json answers.");
        return new HereReplayLibrary(set, recordings);
    }

    /// <summary>The recording that answers a request over <paramref name="bbox"/>, or null (answer: empty results).</summary>
    public HereReplayRecording? For(GeoBox bbox) =>
        Recordings.FirstOrDefault(r => r.StatusCode != 200 || (r.Extent is { } extent && extent.Intersects(bbox)));

    private static bool IsTomTomAnswer(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("flowSegmentData", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static GeoBox? ExtentOf(string name, byte[] body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"HERE recording '{name}' is not JSON: {ex.Message}", ex);
        }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"HERE recording '{name}' has no top-level 'results' array.");
            var points = new List<GeoPoint>();
            foreach (var result in results.EnumerateArray())
            {
                if (!result.TryGetProperty("location", out var location) ||
                    !location.TryGetProperty("shape", out var shape) ||
                    !shape.TryGetProperty("links", out var links)) continue;
                foreach (var link in links.EnumerateArray())
                {
                    if (!link.TryGetProperty("points", out var linkPoints)) continue;
                    foreach (var p in linkPoints.EnumerateArray())
                    {
                        points.Add(new GeoPoint(p.GetProperty("lat").GetDouble(), p.GetProperty("lng").GetDouble()));
                    }
                }
            }
            return points.Count == 0 ? null : GeoBox.Around(points);
        }
    }
}
