namespace Ayalon.Core.Impact;

/// <summary>
/// The congestion class /api/impact sends per section and direction, so the dashboard's map, legend and tables draw
/// from one rule: the constants file's thresholds on delay over free-flow time.
/// </summary>
public static class CongestionClass
{
    public const string Free = "free";
    public const string Slow = "slow";
    public const string Congested = "congested";
    public const string Heavy = "heavy";
    /// <summary>No usable observation (none yet, or not valid): nothing to classify.</summary>
    public const string None = "none";

    /// <summary>A delay that rounds to zero seconds (the API's precision) is free flow, whatever the ratio.</summary>
    public const double FreeAtMostDelaySeconds = 0.5;

    /// <param name="observed">True when the figures come from a valid observation (current, stale or old; a direction's totals).</param>
    /// <param name="congested">The stored congestion flag (the same rule, decided when the observation was computed).</param>
    public static string Of(bool observed, double? delaySeconds, double? freeFlowTimeSeconds, bool congested, ImpactConstants constants)
    {
        ArgumentNullException.ThrowIfNull(constants);
        if (!observed || delaySeconds is not { } delay || freeFlowTimeSeconds is not { } freeFlow || freeFlow <= 0) return None;
        if (delay <= FreeAtMostDelaySeconds) return Free;
        var ratio = delay / freeFlow;
        if (ratio > constants.HeavyCongestionThreshold) return Heavy;
        return ratio > constants.CongestionThreshold || congested ? Congested : Slow;
    }
}
