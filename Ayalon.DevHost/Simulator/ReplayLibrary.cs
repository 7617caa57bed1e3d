using System.Globalization;
using System.Text.Json;
using Ayalon.Core.Corridor;

namespace Ayalon.DevHost.Simulator;

/// <summary>One recorded TomTom exchange: <c>&lt;probe&gt;.meta.json</c> (query point, status, headers) and its body.</summary>
public sealed record ReplayRecording(string Probe, GeoPoint Point, int StatusCode, string? TrackingId, string ContentType, byte[] Body);

/// <summary>The recordings of one set (e.g. fixtures/tomtom/2026-09-15), looked up by nearest probe point.</summary>
public sealed class ReplayLibrary
{
    private ReplayLibrary(string set, IReadOnlyList<ReplayRecording> recordings)
    {
        Set = set;
        Recordings = recordings;
    }

    public string Set { get; }

    public IReadOnlyList<ReplayRecording> Recordings { get; }

    public static ReplayLibrary Load(string directory, string set)
    {
        var folder = ReplaySets.Folder(directory, set, "TomTom");

        var recordings = new List<ReplayRecording>();
        foreach (var metaPath in Directory.GetFiles(folder, "*.meta.json").Order(StringComparer.Ordinal))
        {
            var probe = Path.GetFileName(metaPath)[..^".meta.json".Length];
            var bodyPath = Path.Combine(folder, probe + ".body.json");
            if (!File.Exists(bodyPath)) throw new FileNotFoundException($"Recording '{probe}' has no body file.", bodyPath);

            using var meta = JsonDocument.Parse(File.ReadAllBytes(metaPath));
            var root = meta.RootElement;
            var pointText = root.GetProperty("request").GetProperty("query").GetProperty("point").GetString();
            var point = TomTomBodies.TryParsePoint(pointText)
                        ?? throw new InvalidDataException($"Recording '{probe}' has no valid request.query.point.");
            var response = root.GetProperty("response");
            var status = response.GetProperty("status").GetInt32();
            string? trackingId = null;
            var contentType = "application/json; charset=utf-8";
            if (response.TryGetProperty("headers", out var headers))
            {
                foreach (var h in headers.EnumerateObject())
                {
                    if (h.NameEquals("tracking-id")) trackingId = h.Value.GetString();
                    else if (h.NameEquals("content-type")) contentType = h.Value.GetString() ?? contentType;
                }
            }
            // Served byte for byte as stored (the recorded body, gzip-decoded and re-serialised compactly).
            recordings.Add(new ReplayRecording(probe, point, status, trackingId, contentType, File.ReadAllBytes(bodyPath)));
        }
        if (recordings.Count == 0) throw new InvalidDataException($"TomTom replay set '{set}' holds no *.meta.json recordings.");
        return new ReplayLibrary(set, recordings);
    }

    /// <summary>The recording with the nearest probe point within the tolerance (ties: file name order), or null.</summary>
    public ReplayRecording? Nearest(GeoPoint point, double toleranceMeters)
    {
        ReplayRecording? best = null;
        var bestDistance = double.PositiveInfinity;
        foreach (var r in Recordings)
        {
            var d = Geo.HaversineMeters(point, r.Point);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = r;
            }
        }
        return bestDistance <= toleranceMeters ? best : null;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Set} ({Recordings.Count} recordings)");
}
