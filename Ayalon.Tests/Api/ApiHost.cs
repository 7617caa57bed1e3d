using System.Text.Json;
using Ayalon.Core.Collection;
using Ayalon.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Api;

/// <summary>
/// A DevHost on a real port with a fake clock (which the simulator follows too), so a test produces days of
/// history by running the real collection cycle against the simulator and moving the clock between cycles.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    /// <summary>Monday 2026-11-23, 12:05 in Tel Aviv (UTC+2 in winter).</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 23, 10, 5, 0, TimeSpan.Zero);

    private ApiHost(DevHostInstance host, FakeTimeProvider clock)
    {
        Host = host;
        Clock = clock;
    }

    public DevHostInstance Host { get; }
    public FakeTimeProvider Clock { get; }
    public HttpClient Client => Host.Client;
    public IServiceProvider Services => Host.Services;

    public static async Task<ApiHost> StartAsync(AzuriteFixture azurite, DateTimeOffset? start = null, IDictionary<string, string?>? settings = null)
    {
        var clock = new FakeTimeProvider(start ?? DefaultStart);
        var config = new Dictionary<string, string?> { ["Collector:MinIntervalSeconds"] = "0" };
        if (settings is not null) foreach (var (k, v) in settings) config[k] = v;
        var host = await DevHostInstance.StartAsync(azurite, config, services => services.AddSingleton<TimeProvider>(clock));
        return new ApiHost(host, clock);
    }

    public async Task<CycleRecord> RunCycleAsync()
    {
        var cycle = Services.GetRequiredService<CollectionCycle>();
        return await cycle.RunAsync("test", CancellationToken.None);
    }

    /// <summary>Runs a cycle every <paramref name="step"/> (moving the clock after each), <paramref name="count"/> times.</summary>
    public async Task RunCyclesAsync(int count, TimeSpan step)
    {
        for (var i = 0; i < count; i++)
        {
            await RunCycleAsync();
            Clock.Advance(step);
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} → {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
