using Ayalon.Core.Storage;

namespace Ayalon.Core.Collection;

/// <summary>What the collector reports as metrics (Application Insights in Azure; nothing locally).</summary>
public interface ICollectorTelemetry
{
    void CycleCompleted(CycleRecord cycle);
    void ProviderCall(string providerStatus, double elapsedMs);
    void CorridorDelay(string direction, double delaySeconds);
}

/// <summary>Used where no telemetry backend is configured.</summary>
public sealed class NullCollectorTelemetry : ICollectorTelemetry
{
    public void CycleCompleted(CycleRecord cycle) { }
    public void ProviderCall(string providerStatus, double elapsedMs) { }
    public void CorridorDelay(string direction, double delaySeconds) { }
}
