using Ayalon.Core.Collection;
using Ayalon.DevHost.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Benchmarks.Timed;

/// <summary>
/// The DevHost on a loopback port against the Table Storage in <c>AzureWebJobsStorage</c> (scripts/bench-timed.sh
/// starts Azurite in memory and sets it), fresh tables, the simulator, timers off, on a fake clock so days of data
/// are made in seconds.
/// </summary>
public sealed class TimedHost : IAsyncDisposable
{
    private TimedHost(WebApplication app, FakeTimeProvider clock, Uri baseAddress)
    {
        App = app;
        Clock = clock;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }
    public FakeTimeProvider Clock { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => App.Services;

    public static async Task<TimedHost> StartAsync(DateTimeOffset clockStart, IDictionary<string, string?>? settings = null)
    {
        var storage = Environment.GetEnvironmentVariable("AzureWebJobsStorage");
        if (string.IsNullOrWhiteSpace(storage))
            throw new InvalidOperationException("AzureWebJobsStorage is not set: run this through scripts/bench-timed.sh, which starts Azurite.");
        var clock = new FakeTimeProvider(clockStart);
        var config = new Dictionary<string, string?>
        {
            ["DevHost:Urls"] = "http://127.0.0.1:0",
            ["AzureWebJobsStorage"] = storage,
            ["Storage:TablePrefix"] = "b" + Guid.NewGuid().ToString("N")[..10],
            ["DevHost:RunTimers"] = "false",
            ["DevHost:Simulator"] = "true",
            ["Collector:MinIntervalSeconds"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (settings is not null) foreach (var (k, v) in settings) config[k] = v;
        var app = await DevHostApp.BuildAsync([], config, services => services.AddSingleton<TimeProvider>(clock));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TimedHost(app, clock, new Uri(address));
    }

    /// <summary>Real collection cycles against the simulator, <paramref name="interval"/> apart on the fake clock.</summary>
    public async Task CollectAsync(int cycles, TimeSpan interval)
    {
        for (var i = 0; i < cycles; i++)
        {
            if (i > 0) Clock.Advance(interval);
            await using var scope = Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CollectionCycle>().RunAsync("benchmark", CancellationToken.None);
        }
    }

    public static string? LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
