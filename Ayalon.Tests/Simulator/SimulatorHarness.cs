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
