using System.Globalization;
using System.Text.Json;
using Ayalon.Core.Corridor;

namespace Ayalon.DevHost.Simulator;

/// <summary>Settings for the TomTom-compatible simulator.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Seed of the deterministic traffic pattern.</summary>
    public int Seed { get; set; } = 20;
}

/// <summary>
/// A TomTom Traffic Flow Segment Data v4 look-alike on loopback, for the local run and the tests.
/// MINIMAL FIRST VERSION: answers with the nearest carriageway at a fixed speed; the full simulator
/// (diurnal pattern, replay, faults) replaces this.
/// </summary>
public sealed class TomTomSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CorridorDefinition _corridor;
    private int _requestCount;

    private TomTomSimulator(WebApplication app, CorridorDefinition corridor)
    {
        _app = app;
        _corridor = corridor;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public int RequestCount => Volatile.Read(ref _requestCount);

    public static async Task<TomTomSimulator> StartAsync(SimulatorOptions options, CorridorDefinition corridor, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var simulator = new TomTomSimulator(app, corridor);
        app.MapGet("/traffic/services/4/flowSegmentData/{style}/{zoom}/json", simulator.Answer);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        simulator.BaseUrl = new Uri(app.Urls.First());
        return simulator;
    }

    private IResult Answer(HttpContext context)
    {
        Interlocked.Increment(ref _requestCount);
        if (string.IsNullOrEmpty(context.Request.Query["key"]))
        {
            return Results.Json(new { error = "Forbidden", httpStatusCode = 403, detailedError = new { code = "FORBIDDEN", message = "You are not allowed to access this endpoint." } }, statusCode: 403);
        }
        var parts = (context.Request.Query["point"].ToString()).Split(',');
        var point = new GeoPoint(double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
        var nearest = _corridor.Sections.OrderBy(s => s.Geometry.Min(g => Geo.HaversineMeters(g, point))).First();
        var line = _corridor.InDirection(nearest.Direction).SelectMany(s => s.Geometry).ToList();
        var lengthMeters = Geo.PolylineLengthMeters(line);
        const double freeFlowKmh = 90, currentKmh = 70;
        context.Response.Headers["Tracking-ID"] = Guid.NewGuid().ToString();
        var body = new
        {
            flowSegmentData = new Dictionary<string, object>
            {
                ["frc"] = "FRC0",
                ["currentSpeed"] = currentKmh,
                ["freeFlowSpeed"] = freeFlowKmh,
                ["currentTravelTime"] = Math.Round(lengthMeters / (currentKmh / 3.6)),
                ["freeFlowTravelTime"] = Math.Round(lengthMeters / (freeFlowKmh / 3.6)),
                ["confidence"] = 1.0,
                ["roadClosure"] = false,
                ["coordinates"] = new { coordinate = line.Select(p => new { latitude = p.LatitudeDeg, longitude = p.LongitudeDeg }) },
                ["@version"] = "traffic-service-flow 1.0.0 (simulator)",
            },
        };
        return Results.Json(body, (JsonSerializerOptions?)null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
