using System.Globalization;
using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.DevHost.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Simulator;

/// <summary>A real simulator on a loopback port, a real HttpClient aimed at it, and a fake clock for the pattern.</summary>
internal sealed class SimulatorHarness : IAsyncDisposable
{
    public const string Key = "test-key-3f9a1c";

    /// <summary>The HERE apiKey the HERE-flavoured harness requires.</summary>
    public const string HereKey = "here-test-key-8b2d4e";

    public const string HereAccessKeyId = "test-access-key-id-51c0";

    /// <summary>Carries characters that need percent-encoding, so a signer that skips encoding the key fails.</summary>
    public const string HereAccessKeySecret = "s3cr3t+/=&~ key-7Qx";

    /// <summary>Tuesday 2026-09-15 08:30 in Tel Aviv (IDT, UTC+3): a weekday morning peak.</summary>
    public static readonly DateTimeOffset WeekdayMorningPeakUtc = new(2026, 9, 15, 5, 30, 0, TimeSpan.Zero);

    /// <summary>Tuesday 2026-09-15 17:30 in Tel Aviv.</summary>
    public static readonly DateTimeOffset WeekdayEveningPeakUtc = new(2026, 9, 15, 14, 30, 0, TimeSpan.Zero);

    /// <summary>Tuesday 2026-09-15 03:00 in Tel Aviv.</summary>
    public static readonly DateTimeOffset WeekdayNightUtc = new(2026, 9, 15, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Saturday 2026-09-19 08:30 in Tel Aviv.</summary>
    public static readonly DateTimeOffset SaturdayMorningUtc = new(2026, 9, 19, 5, 30, 0, TimeSpan.Zero);

    public static readonly CorridorDefinition Corridor = CorridorLoader.LoadDefault();

    private SimulatorHarness(TrafficSimulator simulator, FakeTimeProvider clock)
    {
        Simulator = simulator;
        Clock = clock;
        Http = new HttpClient { BaseAddress = simulator.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public TrafficSimulator Simulator { get; }

    public FakeTimeProvider Clock { get; }

    public HttpClient Http { get; }

    public static async Task<SimulatorHarness> StartAsync(Action<SimulatorOptions>? configure = null, DateTimeOffset? nowUtc = null)
    {
        var clock = new FakeTimeProvider(nowUtc ?? WeekdayMorningPeakUtc);
        var options = new SimulatorOptions { Port = 0, Seed = 20, TimeProvider = clock };
        configure?.Invoke(options);
        var simulator = await TrafficSimulator.StartAsync(options, Corridor);
        return new SimulatorHarness(simulator, clock);
    }

    /// <summary>A simulator whose HERE surface requires <see cref="HereKey"/> and accepts the test OAuth credentials.</summary>
    public static Task<SimulatorHarness> StartHereAsync(Action<SimulatorOptions>? configure = null, DateTimeOffset? nowUtc = null) =>
        StartAsync(o =>
        {
            o.HereApiKey = HereKey;
            o.HereAccessKeyId = HereAccessKeyId;
            o.HereAccessKeySecret = HereAccessKeySecret;
            configure?.Invoke(o);
        }, nowUtc);

    /// <summary>The corridor's bounds plus 500 m, west,south,east,north: what the app's HERE client asks for.</summary>
    public static string CorridorBbox
    {
        get
        {
            var points = Corridor.Sections.SelectMany(s => s.Geometry).ToList();
            var marginLat = 500 / 111_195.0;
            var marginLon = marginLat / Math.Cos(points.Average(p => p.LatitudeDeg) * Math.PI / 180);
            return string.Create(CultureInfo.InvariantCulture,
                $"{points.Min(p => p.LongitudeDeg) - marginLon:0.######},{points.Min(p => p.LatitudeDeg) - marginLat:0.######},{points.Max(p => p.LongitudeDeg) + marginLon:0.######},{points.Max(p => p.LatitudeDeg) + marginLat:0.######}");
        }
    }

    public static string HereFlowPath(string? bbox = null, string? apiKey = HereKey, string? referencing = "shape", string? functionalClasses = "1,2")
    {
        var url = "v7/flow?in=bbox:" + (bbox ?? CorridorBbox);
        if (referencing is not null) url += "&locationReferencing=" + referencing;
        if (functionalClasses is not null) url += "&functionalClasses=" + functionalClasses;
        if (apiKey is not null) url += "&apiKey=" + Uri.EscapeDataString(apiKey);
        return url;
    }

    public Task<HttpResponseMessage> GetHereFlowAsync(string? bbox = null, string? apiKey = HereKey, string? referencing = "shape", string? functionalClasses = "1,2") =>
        Http.GetAsync(HereFlowPath(bbox, apiKey, referencing, functionalClasses));

    public async Task<HttpResponseMessage> GetHereFlowWithTokenAsync(string token, string? bbox = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, HereFlowPath(bbox, apiKey: null));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await Http.SendAsync(request);
    }

    public static string? CorrelationId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Correlation-Id", out var values) ? values.Single() : null;

    public static GeoPoint Midpoint(string sectionId) => Corridor.Find(sectionId)!.Midpoint;

    public static IEnumerable<string> SectionIds => Corridor.Sections.Select(s => s.Id);

    /// <summary>The URL the app's TomTomClient builds (relative to the simulator's base URL).</summary>
    public static string FlowPath(GeoPoint point, string? key = Key, string zoom = "10", string style = "absolute", string? unit = "KMPH")
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"traffic/services/4/flowSegmentData/{style}/{zoom}/json?point={point.LatitudeDeg:0.######},{point.LongitudeDeg:0.######}");
        if (unit is not null) url += "&unit=" + unit;
        url += "&openLr=false";
        if (key is not null) url += "&key=" + Uri.EscapeDataString(key);
        return url;
    }

    public Task<HttpResponseMessage> GetFlowAsync(GeoPoint point, string? key = Key, string zoom = "10", string style = "absolute", string? unit = "KMPH") =>
        Http.GetAsync(FlowPath(point, key, zoom, style, unit));

    public static async Task<(int Status, string Body, JsonElement Json)> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(body);
        return ((int)response.StatusCode, body, doc.RootElement.Clone());
    }

    public static string? TrackingId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Tracking-ID", out var values) ? values.Single() : null;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Simulator.DisposeAsync();
    }
}
