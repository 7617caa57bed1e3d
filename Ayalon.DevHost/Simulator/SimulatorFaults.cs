using System.Text.Json.Serialization;

namespace Ayalon.DevHost.Simulator;

/// <summary>
/// What the simulator does wrong on purpose, on every traffic surface it serves (TomTom Flow Segment Data and HERE
/// <c>/v7/flow</c>; never the HERE OAuth token endpoint, so a counted fault is not used up by a token request). Wire
/// names (JSON, CLI, config) are the snake_case ones. Where a kind is a TomTom particularity, HERE gets its closest
/// equivalent, named in the kind's comment as "TomTom: … / HERE: …".
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    [JsonStringEnumMemberName("none")] None,

    /// <summary>
    /// TomTom: 400 "Point too far from nearest existing segment." — its answer for Israel since 2026-09-15.
    /// HERE: it has no such error; an area it does not cover answers 200 <c>{"sourceUpdated":null,"results":[]}</c>,
    /// so this is <see cref="EmptyResults"/> there.
    /// </summary>
    [JsonStringEnumMemberName("no_coverage")] NoCoverage,

    /// <summary>
    /// A bad key. TomTom: 403 <c>Forbidden</c>. HERE: 401 <c>{"error":"Unauthorized","error_description":"apiKey
    /// invalid. apiKey not found."}</c>, HERE's answer to a key it does not know.
    /// </summary>
    [JsonStringEnumMemberName("forbidden")] Forbidden,

    /// <summary>429 with <c>Retry-After</c> (TomTom's error body; HERE's <c>{"error","error_description"}</c>).</summary>
    [JsonStringEnumMemberName("rate_limited")] RateLimited,

    /// <summary>500 (HERE: its service error body <c>{"title","status","code","cause","action","correlationId"}</c>).</summary>
    [JsonStringEnumMemberName("server_error")] ServerError,

    /// <summary>503 (HERE also answers 503 while throttling).</summary>
    [JsonStringEnumMemberName("unavailable")] Unavailable,

    /// <summary>
    /// TomTom: 596 "Service not found", a TomTom-specific gateway status. HERE: 502 Bad Gateway in its service error
    /// shape, the closest gateway-side 5xx.
    /// </summary>
    [JsonStringEnumMemberName("tomtom_596")] TomTom596,

    /// <summary>Holds the request until the client aborts it (or <see cref="SimulatorOptions.TimeoutHangSeconds"/>).</summary>
    [JsonStringEnumMemberName("timeout")] Timeout,

    /// <summary>200 with a body that is not JSON.</summary>
    [JsonStringEnumMemberName("malformed_json")] MalformedJson,

    /// <summary>200 with the normal body cut in half (a complete HTTP response, an incomplete document).</summary>
    [JsonStringEnumMemberName("truncated_json")] TruncatedJson,

    /// <summary>
    /// The normal answer with a confidence below the real-time band. TomTom: confidence 0.5. HERE: 0.6 on every
    /// result and subSegment, HERE's "historical profile" band (0.5, 0.7].
    /// </summary>
    [JsonStringEnumMemberName("low_confidence")] LowConfidence,

    /// <summary>
    /// The road closed. TomTom: roadClosure true, currentSpeed 0 and currentTravelTime 0. HERE: every result and
    /// subSegment <c>traversability: "closed"</c>, <c>jamFactor: 10</c>, without <c>speed</c>,
    /// <c>speedUncapped</c> or <c>confidence</c> (as HERE sends closed items; <c>freeFlow</c> stays).
    /// </summary>
    [JsonStringEnumMemberName("road_closure")] RoadClosure,

    /// <summary>An error body that echoes the full request URL, key included: proves the app never passes it on.</summary>
    [JsonStringEnumMemberName("echo_url_error")] EchoUrlError,

    /// <summary>
    /// A valid answer that measured nothing. HERE: 200 <c>{"sourceUpdated":null,"results":[]}</c>. TomTom has no empty
    /// answer; it says so with its 400 "Point too far…", so this is <see cref="NoCoverage"/> there.
    /// </summary>
    [JsonStringEnumMemberName("empty_results")] EmptyResults,
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
