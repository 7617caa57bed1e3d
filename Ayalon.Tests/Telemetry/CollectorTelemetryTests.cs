using System.Diagnostics;
using Ayalon.Core.Collection;
using Ayalon.Core.Corridor;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.DevHost.Simulator;
using Ayalon.Functions.Telemetry;
using Ayalon.Tests.Secrets;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Telemetry;

/// <summary>
/// A simulated cycle through the Functions host's telemetry registration: the custom metrics and their dimensions
/// that the alerts and runbook queries use, cycle correlation, Information logs kept, and no canary key anywhere.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CollectorTelemetryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Canary = "CANARY-0123456789abcdef";

    private static readonly CorridorDefinition Corridor = CorridorLoader.LoadDefault();

    private Dictionary<string, string?> Settings(TrafficSimulator sim, string? apiKey) => new()
    {
        ["TomTom:BaseUrl"] = sim.BaseUrl.ToString(),
        ["TomTom:ApiKey"] = apiKey,
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["Storage:TablePrefix"] = AzuriteFixture.NewTablePrefix(),
    };

    private static async Task<CycleRecord> RunCycleAsInvocationAsync(TelemetryHost host, Activity invocation)
    {
        invocation.Start();
        try
        {
            return await host.Services.GetRequiredService<CollectionCycle>().RunAsync("timer", CancellationToken.None);
        }
        finally
        {
            invocation.Stop();
        }
    }

    private static IReadOnlyList<MetricTelemetry> Metrics(TelemetryHost host, string name) =>
        host.Channel.Items.OfType<MetricTelemetry>().Where(m => m.Name == name).ToList();

    private static string? Dim(ITelemetry item, string name) =>
        item is ISupportProperties p && p.Properties.TryGetValue(name, out var v) ? v : null;

    [Fact]
    public async Task A_cycle_reports_every_custom_metric_with_its_dimensions_and_never_the_key()
    {
        // The key lives in the (fake) vault, as in Azure; the simulator accepts only it.
        await using var sim = await TrafficSimulator.StartAsync(new SimulatorOptions { Port = 0, RequiredKey = Canary }, Corridor);
        var vault = new FakeKeyVault();
        vault.SetSecret(Canary);
        var settings = Settings(sim, apiKey: null);
        settings["KeyVault:Uri"] = vault.VaultUri.ToString();
        await using var host = await TelemetryHost.StartAsync(settings, s => vault.UseIn(s));
        Assert.IsType<AppInsightsCollectorTelemetry>(host.Services.GetRequiredService<ICollectorTelemetry>());

        var invocation = new Activity("CollectTraffic");
        var record = await RunCycleAsInvocationAsync(host, invocation);
        host.Flush();

        Assert.Equal(CycleStatus.Ok, record.Status);
        Assert.True(sim.RequestCount > 0);

        var cycles = Assert.Single(Metrics(host, TelemetryNames.Metrics.CyclesCompleted));
        Assert.Equal(CycleStatus.Ok, Dim(cycles, "CycleStatus"));
        Assert.Equal(1, cycles.Count);
        Assert.Equal(1, cycles.Sum);
        var duration = Assert.Single(Metrics(host, TelemetryNames.Metrics.CycleDurationMs));
        Assert.Equal(CycleStatus.Ok, Dim(duration, "CycleStatus"));
        Assert.Equal(record.DurationMs, duration.Sum, 3);

        var calls = Assert.Single(Metrics(host, TelemetryNames.Metrics.ProviderCalls));
        Assert.Equal(ProviderStatus.Ok, Dim(calls, "ProviderStatus"));
        Assert.Equal(record.RequestsUsed, calls.Count);
        Assert.Equal(record.RequestsUsed, calls.Sum);
        var latency = Assert.Single(Metrics(host, TelemetryNames.Metrics.ProviderLatencyMs));
        Assert.Equal(ProviderStatus.Ok, Dim(latency, "ProviderStatus"));

        var delays = Metrics(host, TelemetryNames.Metrics.CorridorDelaySeconds);
        Assert.Equal(["northbound", "southbound"], delays.Select(m => Dim(m, "Direction")).Order());
        Assert.All(delays, m => Assert.True(m.Sum >= 0));

        var used = Assert.Single(Metrics(host, TelemetryNames.Metrics.QuotaUsedPercent));
        Assert.Equal(100.0 * record.RequestsUsed / 2500, used.Max!.Value, 6);
        Assert.Equal("tomtom", Dim(used, TelemetryNames.Dimensions.Provider));
        var remaining = Assert.Single(Metrics(host, TelemetryNames.Metrics.QuotaRemaining));
        Assert.Equal(2500 - record.RequestsUsed, remaining.Sum);
        Assert.Equal("tomtom", Dim(remaining, TelemetryNames.Dimensions.Provider));
        var alert = Assert.Single(Metrics(host, TelemetryNames.Metrics.QuotaAlert));
        Assert.Equal(0, alert.Sum); // a few requests of 2,500: nothing to flag
        Assert.Equal("tomtom", Dim(alert, TelemetryNames.Dimensions.Provider));
        var age = Assert.Single(Metrics(host, TelemetryNames.Metrics.DataAgeSeconds));
        Assert.InRange(age.Sum, 0, 60);

        // Correlation: one event per cycle carrying its id, in the invocation's operation; traces and dependencies
        // of the cycle carry the same CycleId and operation.
        var operationId = invocation.TraceId.ToHexString();
        var cycleEvent = Assert.Single(host.Channel.Items.OfType<EventTelemetry>(), e => e.Name == TelemetryNames.Events.Cycle);
        Assert.Equal(record.CycleId, cycleEvent.Properties["CycleId"]);
        Assert.Equal(operationId, cycleEvent.Context.Operation.Id);

        // One event per provider request, with its provider, status and duration (the workbook's latency percentiles).
        var callEvents = host.Channel.Items.OfType<EventTelemetry>().Where(e => e.Name == TelemetryNames.Events.ProviderCall).ToList();
        Assert.Equal(record.Attempts.Count, callEvents.Count);
        Assert.Equal(record.RequestsUsed, callEvents.Count);
        Assert.All(callEvents, e =>
        {
            Assert.Equal(record.CycleId, e.Properties[TelemetryNames.Dimensions.CycleId]);
            Assert.Equal(record.Provider, e.Properties[TelemetryNames.Dimensions.Provider]);
            Assert.Equal(ProviderStatus.Ok, e.Properties[TelemetryNames.Dimensions.ProviderStatus]);
            Assert.True(e.Metrics[TelemetryNames.Measurements.ElapsedMs] > 0);
        });
        Assert.Equal(record.Attempts.Select(a => a.ElapsedMs).Order(), callEvents.Select(e => e.Metrics[TelemetryNames.Measurements.ElapsedMs]).Order());

        var traces = host.Channel.Items.OfType<TraceTelemetry>().Where(t => Dim(t, "CycleId") == record.CycleId).ToList();
        Assert.Contains(traces, t => t.SeverityLevel == SeverityLevel.Information && t.Message.Contains("finished", StringComparison.Ordinal));
        Assert.All(traces, t => Assert.Equal(operationId, t.Context.Operation.Id));
        // The Azure SDK's own request logs (here the vault's 401 challenge before the first read, a Warning in the SDK)
        // stay out of Application Insights: the app logs each real failure itself, with its reason code.
        Assert.Contains(host.Channel.Items.OfType<TraceTelemetry>(), t => Dim(t, "CategoryName")?.StartsWith("Ayalon.", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(host.Channel.Items.OfType<TraceTelemetry>(), t => Dim(t, "CategoryName")?.StartsWith("Azure.", StringComparison.Ordinal) == true);

        // Dependency tracking saw the TomTom calls, with their full URLs — and the key is masked in them.
        // (Dependency tracking listens process-wide: other tests' calls are filtered out by operation.)
        var tomTomCalls = host.Channel.Items.OfType<DependencyTelemetry>()
            .Where(d => d.Context.Operation.Id == operationId && d.Data?.Contains("flowSegmentData", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(record.RequestsUsed, tomTomCalls.Count);
        Assert.All(tomTomCalls, d =>
        {
            Assert.Contains("key=***", d.Data, StringComparison.Ordinal);
            Assert.Equal(record.CycleId, Dim(d, "CycleId"));
            Assert.Equal(operationId, d.Context.Operation.Id);
        });

        AssertNoCanary(host);
    }

    [Fact]
    public async Task A_rejected_key_reports_auth_error_by_provider_status_and_the_key_stays_out_of_telemetry()
    {
        // The app's key (the canary) is not the one the provider accepts: TomTom answers 403.
        await using var sim = await TrafficSimulator.StartAsync(new SimulatorOptions { Port = 0, RequiredKey = "the-right-key" }, Corridor);
        await using var host = await TelemetryHost.StartAsync(Settings(sim, apiKey: Canary));

        var record = await RunCycleAsInvocationAsync(host, new Activity("CollectTraffic"));
        host.Flush();

        Assert.Equal(ProviderStatus.AuthError, record.ProviderStatus);
        Assert.Equal(CycleStatus.Failed, Dim(Assert.Single(Metrics(host, TelemetryNames.Metrics.CyclesCompleted)), "CycleStatus"));
        var calls = Assert.Single(Metrics(host, TelemetryNames.Metrics.ProviderCalls));
        Assert.Equal(ProviderStatus.AuthError, Dim(calls, "ProviderStatus"));
        Assert.Empty(Metrics(host, TelemetryNames.Metrics.CorridorDelaySeconds));
        Assert.Empty(Metrics(host, TelemetryNames.Metrics.DataAgeSeconds)); // no valid observation yet
        Assert.Single(Metrics(host, TelemetryNames.Metrics.QuotaRemaining));
        Assert.Contains(host.Channel.Items.OfType<DependencyTelemetry>(), d => d.Data?.Contains("key=***", StringComparison.Ordinal) == true);

        AssertNoCanary(host);
    }

    [Fact]
    public async Task The_worker_default_Warning_only_filter_is_removed_so_Information_logs_reach_Application_Insights()
    {
        await using var sim = await TrafficSimulator.StartAsync(new SimulatorOptions { Port = 0 }, Corridor);
        await using var host = await TelemetryHost.StartAsync(Settings(sim, apiKey: null));

        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.Extensions.Logging.LoggerFilterOptions>>().Value;
        Assert.DoesNotContain(options.Rules, r => r.ProviderName == Ayalon.Functions.FunctionsHostExtensions.ApplicationInsightsLoggerProvider &&
                                                  r.CategoryName is null && r.LogLevel == Microsoft.Extensions.Logging.LogLevel.Warning);

        var record = await RunCycleAsInvocationAsync(host, new Activity("CollectTraffic"));
        host.Flush();

        Assert.Equal(ProviderStatus.NotConfigured, record.ProviderStatus);
        Assert.Contains(host.Channel.Items.OfType<TraceTelemetry>(), t =>
            t.SeverityLevel == SeverityLevel.Information && t.Message.Contains("started", StringComparison.Ordinal) && Dim(t, "CycleId") == record.CycleId);
        Assert.Equal(CycleStatus.Failed, Dim(Assert.Single(Metrics(host, TelemetryNames.Metrics.CyclesCompleted)), "CycleStatus"));
        Assert.Empty(Metrics(host, TelemetryNames.Metrics.ProviderCalls)); // nothing was sent
    }

    private static void AssertNoCanary(TelemetryHost host)
    {
        Assert.NotEmpty(host.Channel.Items);
        Assert.DoesNotContain(Canary, host.Channel.Serialized(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Uri.EscapeDataString(Canary), host.Channel.Serialized(), StringComparison.OrdinalIgnoreCase);
    }
}
