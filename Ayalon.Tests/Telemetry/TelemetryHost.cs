using System.Collections.Concurrent;
using System.Text;
using Ayalon.Core;
using Ayalon.Functions;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.Extensibility.Implementation;
using Microsoft.ApplicationInsights.WorkerService;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ayalon.Tests.Telemetry;

/// <summary>Captures every item the Application Insights pipeline would send (after initializers and processors).</summary>
public sealed class InMemoryChannel : ITelemetryChannel
{
    private readonly ConcurrentQueue<ITelemetry> _items = new();

    public IReadOnlyList<ITelemetry> Items => _items.ToArray();

    public bool? DeveloperMode { get; set; }

    public string EndpointAddress { get; set; } = "http://127.0.0.1:9/v2/track";

    public void Send(ITelemetry item) => _items.Enqueue(item);

    public void Flush()
    {
    }

    public void Dispose()
    {
    }

    /// <summary>The items as the SDK serializes them for ingestion (what would leave the machine).</summary>
    public string Serialized() => Encoding.UTF8.GetString(JsonSerializer.Serialize(Items, compress: false));
}

/// <summary>
/// The Functions host's service registration (<see cref="FunctionsHostExtensions.AddAyalonTelemetry"/> +
/// AddAyalonCore), with telemetry going to an <see cref="InMemoryChannel"/> instead of the ingestion endpoint.
/// </summary>
public sealed class TelemetryHost : IAsyncDisposable
{
    private TelemetryHost(ServiceProvider services, InMemoryChannel channel)
    {
        Services = services;
        Channel = channel;
    }

    public ServiceProvider Services { get; }

    public InMemoryChannel Channel { get; }

    public static async Task<TelemetryHost> StartAsync(IDictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] =
                "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/;LiveEndpoint=http://127.0.0.1:9/",
            ["Collector:MinIntervalSeconds"] = "0",
            ["TomTom:RetryDelayMilliseconds"] = "0",
        };
        foreach (var (k, v) in settings) all[k] = v;
        var config = new ConfigurationBuilder().AddInMemoryCollection(all).Build();

        var channel = new InMemoryChannel();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<ITelemetryChannel>(channel); // WorkerService uses a registered channel
        configure?.Invoke(services);
        services.AddAyalonTelemetry();
        // No network from the test: no live metrics stream, no performance counters.
        services.Configure<ApplicationInsightsServiceOptions>(o =>
        {
            o.EnableQuickPulseMetricStream = false;
            o.EnablePerformanceCounterCollectionModule = false;
            o.EnableEventCounterCollectionModule = false;
        });
        services.AddAyalonCore(config);
        var provider = services.BuildServiceProvider(validateScopes: true);
        // As the host does at start: the hosted services (telemetry modules among them).
        foreach (var hosted in provider.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        return new TelemetryHost(provider, channel);
    }

    /// <summary>Sends the pre-aggregated metrics and everything buffered to the channel now.</summary>
    public void Flush() => Services.GetRequiredService<TelemetryClient>().Flush();

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in Services.GetServices<IHostedService>()) await hosted.StopAsync(CancellationToken.None);
        await Services.DisposeAsync();
    }
}
