namespace Ayalon.Tests.Soak;

/// <summary>
/// What happens when in a soak: steps (a fault switched, storage stopped or started, the host restarted) applied
/// before the cycle of the schedule occurrence they fall on, and occurrences whose cycle runs in a special shape
/// (two at once, overlapping, storage lost in the middle) instead of the plain timer cycle.
/// </summary>
public sealed class SoakScenario
{
    private readonly List<(DateTimeOffset AtUtc, string Name, Func<SoakRun, Task> Apply)> _steps = [];
    private readonly Dictionary<DateTimeOffset, (string Name, Func<SoakRun, Task> Run)> _shapes = [];

    public IEnumerable<(DateTimeOffset AtUtc, string Name, Func<SoakRun, Task> Apply)> Steps => _steps.OrderBy(s => s.AtUtc);

    public SoakScenario At(DateTimeOffset atUtc, string name, Func<SoakRun, Task> apply)
    {
        _steps.Add((atUtc, name, apply));
        return this;
    }

    public SoakScenario At(DateTimeOffset atUtc, string name, Action<SoakRun> apply) =>
        At(atUtc, name, run =>
        {
            apply(run);
            return Task.CompletedTask;
        });

    /// <summary>The cycle of the occurrence at <paramref name="atUtc"/> runs as <paramref name="run"/> (which starts it itself).</summary>
    public SoakScenario CycleAt(DateTimeOffset atUtc, string name, Func<SoakRun, Task> run)
    {
        if (!_shapes.TryAdd(atUtc, (name, run))) throw new ArgumentException($"Two cycle shapes at {atUtc:O}.", nameof(atUtc));
        return this;
    }

    public bool TryShapeAt(DateTimeOffset occurrenceUtc, out (string Name, Func<SoakRun, Task> Run) shape) =>
        _shapes.TryGetValue(occurrenceUtc, out shape);

    public IReadOnlyCollection<string> ShapeNames => _shapes.Values.Select(s => s.Name).ToList();
}
