using System.Globalization;
using Ayalon.Core.Collection;
using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Microsoft.ApplicationInsights;

namespace Ayalon.Functions.Telemetry;

/// <summary>
/// The collector's custom metrics in Application Insights (DESIGN §8; docs/OPERATIONS.md's alerts and queries use
/// these names and dimensions). <see cref="TelemetryClient.GetMetric(string)"/> pre-aggregates per minute, so a
/// dimension holds only a small fixed set of values (statuses, directions) — never ids.
/// </summary>
public sealed class AppInsightsCollectorTelemetry(TelemetryClient client) : ICollectorTelemetry
{
    public const string CyclesCompleted = "Ayalon.CyclesCompleted";
    public const string CycleDurationMs = "Ayalon.CycleDurationMs";
    public const string ProviderCalls = "Ayalon.ProviderCalls";
    public const string ProviderLatencyMs = "Ayalon.ProviderLatencyMs";
    public const string QuotaUsedPercent = "Ayalon.QuotaUsedPercent";
    public const string QuotaRemaining = "Ayalon.QuotaRemaining";
    public const string DataAgeSeconds = "Ayalon.DataAgeSeconds";
    public const string CorridorDelaySeconds = "Ayalon.CorridorDelaySeconds";

    /// <summary>One custom event per cycle: ties its CycleId to the invocation's operation_Id.</summary>
    public const string CycleEvent = "Ayalon.Cycle";

    public const string CycleStatusDimension = "CycleStatus";
    public const string ProviderStatusDimension = "ProviderStatus";
    public const string DirectionDimension = "Direction";

    /// <summary>The provider a quota row belongs to (each has its own ledger row, limit and period).</summary>
    public const string ProviderDimension = "Provider";

    public void CycleCompleted(CycleRecord cycle)
    {
        client.GetMetric(CyclesCompleted, CycleStatusDimension).TrackValue(1, cycle.Status);
        client.GetMetric(CycleDurationMs, CycleStatusDimension).TrackValue(cycle.DurationMs, cycle.Status);
        client.TrackEvent(CycleEvent, new Dictionary<string, string>
        {
            ["CycleId"] = cycle.CycleId,
            ["Trigger"] = cycle.Trigger,
            [CycleStatusDimension] = cycle.Status,
            [ProviderStatusDimension] = cycle.ProviderStatus,
            ["Provider"] = cycle.Provider,
            ["RequestsUsed"] = cycle.RequestsUsed.ToString(CultureInfo.InvariantCulture),
            ["SectionsMeasured"] = cycle.SectionsMeasured.ToString(CultureInfo.InvariantCulture),
            ["SectionsTotal"] = cycle.SectionsTotal.ToString(CultureInfo.InvariantCulture),
            ["DurationMs"] = cycle.DurationMs.ToString("0", CultureInfo.InvariantCulture),
        });
    }

    public void ProviderCall(string providerStatus, double elapsedMs)
    {
        client.GetMetric(ProviderCalls, ProviderStatusDimension).TrackValue(1, providerStatus);
        client.GetMetric(ProviderLatencyMs, ProviderStatusDimension).TrackValue(elapsedMs, providerStatus);
    }

    public void CorridorDelay(string direction, double delaySeconds) =>
        client.GetMetric(CorridorDelaySeconds, DirectionDimension).TrackValue(delaySeconds, direction);

    public void QuotaObserved(QuotaStatus quota)
    {
        client.GetMetric(QuotaUsedPercent, ProviderDimension).TrackValue(quota.UsedPercent, quota.Provider);
        client.GetMetric(QuotaRemaining, ProviderDimension).TrackValue(quota.Remaining, quota.Provider);
    }

    public void DataAge(double ageSeconds) => client.GetMetric(DataAgeSeconds).TrackValue(ageSeconds);
}
