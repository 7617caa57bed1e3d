using Ayalon.Core.Quota;
using Ayalon.Core.Storage;

namespace Ayalon.Core.Collection;

/// <summary>What the collector reports as metrics (Application Insights in Azure; nothing locally).</summary>
public interface ICollectorTelemetry
{
    void CycleCompleted(CycleRecord cycle);
    /// <summary>One request sent to <paramref name="provider"/> and how it ended.</summary>
    void ProviderCall(string provider, string providerStatus, double elapsedMs);
    void CorridorDelay(string direction, double delaySeconds);

    /// <summary>Each asked provider's quota row after a cycle recorded its requests.</summary>
    void QuotaObserved(QuotaStatus quota) { }

    /// <summary>Seconds since the newest valid observation, after a cycle (none yet: not reported).</summary>
    void DataAge(double ageSeconds) { }
}

/// <summary>Used where no telemetry backend is configured.</summary>
public sealed class NullCollectorTelemetry : ICollectorTelemetry
{
    public void CycleCompleted(CycleRecord cycle) { }
    public void ProviderCall(string provider, string providerStatus, double elapsedMs) { }
    public void CorridorDelay(string direction, double delaySeconds) { }
}

/// <summary>
/// The cycle running on this async flow, for correlating what is recorded during it (telemetry initializers stamp
/// it on traces, dependencies and events; logs carry it through their scope).
/// </summary>
public static class CycleContext
{
    private static readonly AsyncLocal<string?> Current = new();

    public static string? CurrentCycleId => Current.Value;

    internal static IDisposable Enter(string cycleId)
    {
        var previous = Current.Value;
        Current.Value = cycleId;
        return new Exit(previous);
    }

    private sealed class Exit(string? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
