using System.Globalization;
using Ayalon.Core.Collection;
using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Microsoft.ApplicationInsights;
using static Ayalon.Functions.Telemetry.TelemetryNames;

namespace Ayalon.Functions.Telemetry;

/// <summary>
/// The collector's custom metrics and events in Application Insights, named from <see cref="TelemetryNames"/> (the
/// alerts, the operator workbook and docs/OPERATIONS.md's queries use the same names).
/// <see cref="TelemetryClient.GetMetric(string)"/> pre-aggregates per minute, so a metric dimension holds only a
/// small fixed set of values (statuses, directions) — never ids; ids go on events.
/// </summary>
public sealed class AppInsightsCollectorTelemetry(TelemetryClient client) : ICollectorTelemetry
{
    public void CycleCompleted(CycleRecord cycle)
    {
        client.GetMetric(Metrics.CyclesCompleted, Dimensions.CycleStatus).TrackValue(1, cycle.Status);
        client.GetMetric(Metrics.CycleDurationMs, Dimensions.CycleStatus).TrackValue(cycle.DurationMs, cycle.Status);
        client.TrackEvent(Events.Cycle, new Dictionary<string, string>
        {
            [Dimensions.CycleId] = cycle.CycleId,
            [Dimensions.Trigger] = cycle.Trigger,
            [Dimensions.CycleStatus] = cycle.Status,
            [Dimensions.ProviderStatus] = cycle.ProviderStatus,
            [Dimensions.Provider] = cycle.Provider,
            [Dimensions.RequestsUsed] = cycle.RequestsUsed.ToString(CultureInfo.InvariantCulture),
            [Dimensions.SectionsMeasured] = cycle.SectionsMeasured.ToString(CultureInfo.InvariantCulture),
            [Dimensions.SectionsTotal] = cycle.SectionsTotal.ToString(CultureInfo.InvariantCulture),
            [Dimensions.DurationMs] = cycle.DurationMs.ToString("0", CultureInfo.InvariantCulture),
        });
        foreach (var attempt in cycle.Attempts)
        {
            client.TrackEvent(Events.ProviderCall,
                new Dictionary<string, string>
                {
                    [Dimensions.CycleId] = cycle.CycleId,
                    [Dimensions.Provider] = attempt.Provider ?? cycle.Provider,
                    [Dimensions.ProviderStatus] = attempt.Status,
                    [Dimensions.HttpStatus] = attempt.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "",
                },
                new Dictionary<string, double> { [Measurements.ElapsedMs] = attempt.ElapsedMs });
        }
    }

    public void ProviderCall(string provider, string providerStatus, double elapsedMs)
    {
        client.GetMetric(Metrics.ProviderCalls, Dimensions.Provider, Dimensions.ProviderStatus).TrackValue(1, provider, providerStatus);
        client.GetMetric(Metrics.ProviderLatencyMs, Dimensions.Provider, Dimensions.ProviderStatus).TrackValue(elapsedMs, provider, providerStatus);
    }

    public void CorridorDelay(string direction, double delaySeconds) =>
        client.GetMetric(Metrics.CorridorDelaySeconds, Dimensions.Direction).TrackValue(delaySeconds, direction);

    public void QuotaObserved(QuotaStatus quota)
    {
        client.GetMetric(Metrics.QuotaUsedPercent, Dimensions.Provider).TrackValue(quota.UsedPercent, quota.Provider);
        client.GetMetric(Metrics.QuotaRemaining, Dimensions.Provider).TrackValue(quota.Remaining, quota.Provider);
        client.GetMetric(Metrics.QuotaAlert, Dimensions.Provider).TrackValue(quota.Alert ? 1 : 0, quota.Provider);
    }

    public void DataAge(double ageSeconds) => client.GetMetric(Metrics.DataAgeSeconds).TrackValue(ageSeconds);
}
