using Ayalon.Core.Collection;
using Ayalon.Core.Impact;
using Ayalon.Core.ReadModels;
using Ayalon.Core.Storage;

namespace Ayalon.Core.Health;

/// <summary>What the freshness rule concluded, and from which observation.</summary>
public sealed record FreshnessVerdict(string Status, DateTimeOffset? NewestObservationUtc, double? AgeSeconds, bool AnyValue, bool AllClosed);

/// <summary>
/// The one freshness rule, shared by /api/health and /api/impact's <c>dataStatus</c> (docs/API.md, "Health").
/// The age is that of the newest stored observation of any state — a closure or a thin answer is a measurement
/// too; the collector and the provider are working — and the bands are the schedule's
/// (<see cref="FreshnessThresholds"/>): healthy, degraded, stale, collector_down. Within the fresh bands:
/// every section's latest observation <c>closed</c> → <c>closed</c> (the road is shut, the monitor is fine);
/// no section with a value otherwise → at most <c>degraded</c>. No observation at all → <c>empty</c>.
/// </summary>
public static class DataFreshness
{
    public static FreshnessVerdict Evaluate(IReadOnlyDictionary<string, StoredObservation> latestBySection, int sectionCount,
        FreshnessThresholds thresholds, DateTimeOffset nowUtc)
    {
        if (latestBySection.Count == 0) return new(HealthStatus.Empty, null, null, false, false);
        var newest = latestBySection.Values.Max(o => o.ObservedAtUtc);
        var age = nowUtc - newest;
        var anyValue = latestBySection.Values.Any(o => o.State == ObservationState.Ok);
        var allClosed = latestBySection.Count >= sectionCount && latestBySection.Values.All(o => o.State == ObservationState.Closed);
        var band = age < thresholds.HealthyBelow ? HealthStatus.Healthy
            : age < thresholds.DegradedBelow ? HealthStatus.Degraded
            : age < thresholds.StaleBelow ? HealthStatus.Stale
            : HealthStatus.CollectorDown;
        var status = band switch
        {
            HealthStatus.Healthy or HealthStatus.Degraded when allClosed => HealthStatus.Closed,
            HealthStatus.Healthy when !anyValue => HealthStatus.Degraded,
            _ => band,
        };
        return new(status, newest, Math.Round(age.TotalSeconds, 1), anyValue, allClosed);
    }
}

public static class HealthStatus
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    /// <summary>Every section's latest (fresh) observation is a road closure: the monitor works, the road is shut.</summary>
    public const string Closed = "closed";
    public const string Stale = "stale";
    public const string CollectorDown = "collector_down";
    public const string Empty = "empty";
    public const string Error = "error";

    /// <summary>The statuses that answer 200: the monitor is working and its data is fresh enough.</summary>
    public static bool IsServing(string status) => status is Healthy or Degraded or Closed;
}
