namespace Ayalon.DevHost.Simulator;

/// <summary>
/// One request the simulator received. The key's value is never kept — only whether one was present — so the log
/// can be shown, served and printed freely.
/// </summary>
public sealed record SimulatorRequestRecord(
    DateTimeOffset ReceivedAtUtc,
    string Path,
    string? Point,
    int? Zoom,
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
