using System.Reflection;

namespace Ayalon.Functions.Telemetry;

/// <summary>
/// Every custom metric, event and dimension name the app sends to Application Insights — the one list. The emitter
/// uses these constants; the alert rules (infra/modules/alerts.bicep), the operator workbook
/// (infra/workbooks/operator.workbook.json) and docs/OPERATIONS.md query them, and a test checks the workbook and
/// the alerts against <see cref="AllNames"/> so a rename cannot leave a chart silently empty.
/// </summary>
public static class TelemetryNames
{
    /// <summary>Custom metrics, pre-aggregated per minute by <c>GetMetric</c> (query valueCount/valueSum/valueMax).</summary>
    public static class Metrics
    {
        public const string CyclesCompleted = "Ayalon.CyclesCompleted";
        public const string CycleDurationMs = "Ayalon.CycleDurationMs";
        public const string ProviderCalls = "Ayalon.ProviderCalls";
        public const string ProviderLatencyMs = "Ayalon.ProviderLatencyMs";
        public const string QuotaUsedPercent = "Ayalon.QuotaUsedPercent";
        public const string QuotaRemaining = "Ayalon.QuotaRemaining";

        /// <summary>1 when the ledger says the provider's quota needs attention (above the threshold, and ahead of its pace when paced), else 0.</summary>
        public const string QuotaAlert = "Ayalon.QuotaAlert";
        public const string DataAgeSeconds = "Ayalon.DataAgeSeconds";
        public const string CorridorDelaySeconds = "Ayalon.CorridorDelaySeconds";
    }

    /// <summary>Custom events (one row each; customDimensions and customMeasurements).</summary>
    public static class Events
    {
        /// <summary>One per cycle: ties its CycleId to the invocation's operation_Id.</summary>
        public const string Cycle = "Ayalon.Cycle";

        /// <summary>
        /// One per provider request of a cycle, with its duration: pre-aggregated metrics cannot give percentiles,
        /// and the latency metric has no provider dimension. At most a few per cycle.
        /// </summary>
        public const string ProviderCall = "Ayalon.ProviderCall";
    }

    /// <summary>Dimension (customDimensions) names on the metrics and events above.</summary>
    public static class Dimensions
    {
        public const string CycleStatus = "CycleStatus";
        public const string ProviderStatus = "ProviderStatus";
        public const string Direction = "Direction";
        public const string Provider = "Provider";
        public const string CycleId = "CycleId";
        public const string Trigger = "Trigger";
        public const string RequestsUsed = "RequestsUsed";
        public const string SectionsMeasured = "SectionsMeasured";
        public const string SectionsTotal = "SectionsTotal";
        public const string DurationMs = "DurationMs";
        public const string HttpStatus = "HttpStatus";
    }

    /// <summary>customMeasurements names on the events.</summary>
    public static class Measurements
    {
        public const string ElapsedMs = "ElapsedMs";
    }

    public static IReadOnlyList<string> MetricNames { get; } = ConstantsOf(typeof(Metrics));
    public static IReadOnlyList<string> EventNames { get; } = ConstantsOf(typeof(Events));
    public static IReadOnlyList<string> DimensionNames { get; } = ConstantsOf(typeof(Dimensions));
    public static IReadOnlyList<string> MeasurementNames { get; } = ConstantsOf(typeof(Measurements));

    /// <summary>Every metric and event name (the <c>name</c> column of customMetrics / customEvents).</summary>
    public static IReadOnlyList<string> AllNames { get; } = [.. MetricNames, .. EventNames];

    private static string[] ConstantsOf(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true, IsInitOnly: false } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();
}
