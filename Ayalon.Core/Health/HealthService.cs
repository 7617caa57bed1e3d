using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Health;

public sealed record HealthCheck(string Name, string Status, string Detail);

public sealed record HealthReport(string Status, DateTimeOffset CheckedAtUtc, double? DataAgeSeconds, IReadOnlyList<HealthCheck> Checks)
{
    /// <summary>Availability tests key on the code: 200 while data is fresh enough, 503 otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int HttpStatus => Status is HealthStatus.Healthy or HealthStatus.Degraded ? 200 : 503;
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

/// <summary>Health from persisted data only: it never calls the provider (first version; the API step completes it).</summary>
public sealed class HealthService(LatestStateStore latest, IOptionsMonitor<TomTomOptions> tomTom, TimeProvider time)
{
    public async Task<HealthReport> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var checks = new List<HealthCheck>();
        IReadOnlyCollection<StoredObservation> rows;
        try
        {
            rows = (await latest.ReadAsync(cancellationToken).ConfigureAwait(false)).Sections.Values.ToList();
            checks.Add(new HealthCheck("storage", "ok", "table storage reachable"));
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException or InvalidOperationException)
        {
            checks.Add(new HealthCheck("storage", "error", "table storage unreachable"));
            return new HealthReport(HealthStatus.Error, now, null, checks);
        }

        var keyPresent = !string.IsNullOrWhiteSpace(tomTom.CurrentValue.ApiKey);
        checks.Add(new HealthCheck("configuration", keyPresent ? "ok" : "warning", keyPresent ? "provider key present" : "no provider key configured"));

        var newest = rows.Where(r => r.State == "ok").Select(r => (DateTimeOffset?)r.ObservedAtUtc).Max();
        if (newest is null)
        {
            checks.Add(new HealthCheck("freshness", "warning", "no valid observation yet"));
            return new HealthReport(HealthStatus.Empty, now, null, checks);
        }
        var age = (now - newest.Value).TotalSeconds;
        var status = age < 600 ? HealthStatus.Healthy : age < 1800 ? HealthStatus.Degraded : age < 7200 ? HealthStatus.Stale : HealthStatus.CollectorDown;
        checks.Add(new HealthCheck("freshness", status == HealthStatus.Healthy ? "ok" : "warning",
            FormattableString.Invariant($"newest valid observation {age:0} s old")));
        return new HealthReport(status, now, age, checks);
    }
}
