namespace Ayalon.Core.Health;

/// <summary>
/// The one freshness rule (DESIGN §6), shared by /api/health and /api/impact's <c>dataStatus</c>: by the age of the
/// newest valid observation, &lt;600 s healthy, &lt;1800 s degraded, &lt;7200 s stale, else collector_down; none → empty.
/// </summary>
public static class DataFreshness
{
    public const double HealthyBelowSeconds = 600;
    public const double DegradedBelowSeconds = 1800;
    public const double StaleBelowSeconds = 7200;

    public static string StatusFor(DateTimeOffset? newestValidObservationUtc, DateTimeOffset nowUtc)
    {
        if (newestValidObservationUtc is not { } newest) return HealthStatus.Empty;
        var age = (nowUtc - newest).TotalSeconds;
        return age < HealthyBelowSeconds ? HealthStatus.Healthy
            : age < DegradedBelowSeconds ? HealthStatus.Degraded
            : age < StaleBelowSeconds ? HealthStatus.Stale
            : HealthStatus.CollectorDown;
    }
}

public static class HealthStatus
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Stale = "stale";
    public const string CollectorDown = "collector_down";
    public const string Empty = "empty";
    public const string Error = "error";
}
