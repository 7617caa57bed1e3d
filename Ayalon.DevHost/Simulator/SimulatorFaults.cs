using System.Text.Json.Serialization;

namespace Ayalon.DevHost.Simulator;

/// <summary>What the simulator does wrong on purpose. Wire names (JSON, CLI, config) are the snake_case ones.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    [JsonStringEnumMemberName("none")] None,

    /// <summary>400 "Point too far from nearest existing segment." — TomTom's answer for Israel since 2026-09-15.</summary>
    [JsonStringEnumMemberName("no_coverage")] NoCoverage,

    /// <summary>403, as for a bad key.</summary>
    [JsonStringEnumMemberName("forbidden")] Forbidden,

    /// <summary>429 with <c>Retry-After</c>.</summary>
    [JsonStringEnumMemberName("rate_limited")] RateLimited,

    [JsonStringEnumMemberName("server_error")] ServerError,

    [JsonStringEnumMemberName("unavailable")] Unavailable,

    /// <summary>596 "Service not found", a TomTom-specific status.</summary>
    [JsonStringEnumMemberName("tomtom_596")] TomTom596,

    /// <summary>Holds the request until the client aborts it (or <see cref="SimulatorOptions.TimeoutHangSeconds"/>).</summary>
    [JsonStringEnumMemberName("timeout")] Timeout,

    /// <summary>200 with a body that is not JSON.</summary>
    [JsonStringEnumMemberName("malformed_json")] MalformedJson,

    /// <summary>200 with the normal body cut in half (a complete HTTP response, an incomplete document).</summary>
    [JsonStringEnumMemberName("truncated_json")] TruncatedJson,

    /// <summary>The normal answer with confidence 0.5.</summary>
    [JsonStringEnumMemberName("low_confidence")] LowConfidence,

    /// <summary>The normal answer with roadClosure true, currentSpeed 0 and currentTravelTime 0.</summary>
    [JsonStringEnumMemberName("road_closure")] RoadClosure,

    /// <summary>An error body that echoes the full request URL, key included: proves the app never passes it on.</summary>
    [JsonStringEnumMemberName("echo_url_error")] EchoUrlError,
}

/// <summary>
/// One fault setting. <paramref name="Count"/> null = every request until cleared; n = the next n requests (the
/// value left is what <see cref="SimulatorFaults.Current"/> reports). <paramref name="LatencyMs"/> is added before
/// answering and combines with any kind (kind <see cref="FaultKind.None"/> + latency = a slow but correct answer).
/// <paramref name="StatusCode"/> overrides the status of <see cref="FaultKind.EchoUrlError"/> (default 400).
/// </summary>
public sealed record SimulatorFault(
    FaultKind Kind,
    int? Count = null,
    int LatencyMs = 0,
    int RetryAfterSeconds = 1,
    int? StatusCode = null)
{
    public static readonly SimulatorFault None = new(FaultKind.None);

    public bool IsNone => Kind == FaultKind.None && LatencyMs == 0;

    /// <summary>Null when valid, else what is wrong (the HTTP control endpoint answers it with 400).</summary>
    public string? Validate()
    {
        if (!Enum.IsDefined(Kind)) return $"unknown fault kind {(int)Kind}";
        if (Count is <= 0) return "count must be positive (omit it for every request)";
        if (LatencyMs is < 0 or > 600_000) return "latencyMs must be within 0..600000";
        if (RetryAfterSeconds is < 0 or > 86_400) return "retryAfterSeconds must be within 0..86400";
        if (StatusCode is not null && Kind != FaultKind.EchoUrlError) return "statusCode applies only to echo_url_error";
        if (StatusCode is < 400 or > 599) return "statusCode must be an error status (400..599)";
        return null;
    }

    internal static string WireName(FaultKind kind) =>
        System.Text.Json.JsonSerializer.Serialize(kind).Trim('"');

    internal static bool TryParseKind(string? text, out FaultKind kind)
    {
        foreach (var k in Enum.GetValues<FaultKind>())
        {
            if (string.Equals(WireName(k), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = FaultKind.None;
        return false;
    }

    internal static string AllWireNames => string.Join(", ", Enum.GetValues<FaultKind>().Select(WireName));
}

/// <summary>The simulator's fault switch. Thread-safe: requests take from it concurrently while tests flip it.</summary>
public sealed class SimulatorFaults
{
    private readonly Lock _gate = new();
    private SimulatorFault _current = SimulatorFault.None;

    /// <summary>The active setting; <see cref="SimulatorFault.Count"/> is what is left of a counted fault.</summary>
    public SimulatorFault Current
    {
        get
        {
            lock (_gate) return _current;
        }
    }

    public void Set(SimulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var problem = fault.Validate();
        if (problem is not null) throw new ArgumentException(problem, nameof(fault));
        lock (_gate) _current = fault;
    }

    /// <summary>Applies <paramref name="kind"/> to every request, or to the next <paramref name="count"/> requests.</summary>
    public void Set(FaultKind kind, int? count = null, int latencyMs = 0) => Set(new SimulatorFault(kind, count, latencyMs));

    /// <summary>Adds latency alone (a slow but correct answer).</summary>
    public void SetLatency(int latencyMs, int? count = null) => Set(new SimulatorFault(FaultKind.None, count, latencyMs));

    public void Clear()
    {
        lock (_gate) _current = SimulatorFault.None;
    }

    /// <summary>The fault this request gets; a counted fault is used up atomically, so n requests get exactly n.</summary>
    internal SimulatorFault Take()
    {
        lock (_gate)
        {
            var fault = _current;
            if (fault.Count is { } left)
            {
                _current = left <= 1 ? SimulatorFault.None : fault with { Count = left - 1 };
                return fault with { Count = 1 };
            }
            return fault;
        }
    }
}
