namespace Ayalon.DevHost.Simulator;

/// <summary>Which API a request reached.</summary>
public static class SimulatorSurface
{
    /// <summary>TomTom Flow Segment Data (and any path that is no API's: counted with the traffic requests).</summary>
    public const string TomTom = "tomtom";

    /// <summary>HERE Traffic API v7 <c>/v7/flow</c>.</summary>
    public const string HereFlow = "here";

    /// <summary>HERE's OAuth 2.0 token endpoint <c>/oauth2/token</c>.</summary>
    public const string HereToken = "here_token";
}

/// <summary>
/// One request the simulator received. No credential is ever kept — a key, token or signature is only "present" or
/// not — so the log can be shown, served and printed freely. <paramref name="Point"/> and <paramref name="Zoom"/> are
/// TomTom's, <paramref name="Area"/> HERE's <c>in</c> parameter (e.g. <c>bbox:34.77,32.03,34.81,32.10</c>).
/// </summary>
public sealed record SimulatorRequestRecord(
    DateTimeOffset ReceivedAtUtc,
    string Surface,
    string Method,
    string Path,
    string? Point,
    int? Zoom,
    string? Area,
    bool KeyPresent,
    int? StatusCode,
    string Outcome,
    double ElapsedMs);

/// <summary>A bounded, thread-safe log of the most recent requests.</summary>
public sealed class SimulatorRequestLog(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Queue<SimulatorRequestRecord> _records = new();
    private readonly int _capacity = Math.Max(1, capacity);

    public void Add(SimulatorRequestRecord record)
    {
        lock (_gate)
        {
            _records.Enqueue(record);
            while (_records.Count > _capacity) _records.Dequeue();
        }
    }

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<SimulatorRequestRecord> Snapshot()
    {
        lock (_gate) return _records.ToArray();
    }
}
