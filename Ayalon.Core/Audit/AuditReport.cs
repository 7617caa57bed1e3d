using System.Globalization;

namespace Ayalon.Core.Audit;

/// <summary>
/// One place where stored data and its recomputation from the raw archive disagree. <see cref="Keys"/> are the row's
/// partition and row keys (<c>pk/rk</c>); <see cref="Stored"/> or <see cref="Recomputed"/> is null when that side has
/// no such row or value.
/// </summary>
public sealed record AuditDifference(string Table, string Keys, string Field, string? Stored, string? Recomputed)
{
    public const string None = "(none)";

    /// <summary>The line the command prints: <c>Observations 20261129/ayalon-n-1|3fa…: DelaySeconds stored 12.5, recomputed 12.25</c>.</summary>
    public string Line => $"{Table} {Keys}: {Field} stored {Stored ?? None}, recomputed {Recomputed ?? None}";
}

/// <summary>
/// What an audit checked and found. <see cref="Summary"/> is the command's last line:
/// <c>audit: N cycles, M observations, K hours checked, D differences</c>.
/// </summary>
public sealed record AuditReport(
    DateTimeOffset FromUtc,
    DateTimeOffset ToUtc,
    int Cycles,
    int Observations,
    int HoursChecked,
    IReadOnlyList<AuditDifference> Differences)
{
    public int DifferenceCount => Differences.Count;

    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"audit: {Cycles} cycles, {Observations} observations, {HoursChecked} hours checked, {Differences.Count} differences");

    /// <summary>Every line the command prints: one per difference, then <see cref="Summary"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> Lines => [.. Differences.Select(d => d.Line), Summary];
}

/// <summary>A range the audit cannot check; the message names the parameter and the problem.</summary>
public sealed class AuditInputException(string parameter, string message) : Exception(message)
{
    public string Parameter { get; } = parameter;
}

/// <summary>
/// The audit's range as both the command (<c>--from</c>/<c>--to</c>) and the admin endpoint (<c>from</c>/<c>to</c>)
/// accept it: a UTC date (<c>2026-11-01</c>, its midnight) or an ISO 8601 time with its offset.
/// </summary>
public static class AuditRange
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd"];

    public static DateTimeOffset? Parse(string? text, string name)
    {
        if (text is null) return null;
        var t = text.Trim();
        if (t.Length == 0) throw new AuditInputException(name, $"{name} is empty; give a UTC date (2026-11-01) or time (2026-11-01T06:00:00Z).");
        if (DateTime.TryParseExact(t, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return new DateTimeOffset(date, TimeSpan.Zero);
        // A time must say its offset: a bare local-looking time would be read differently on every machine.
        if (t.Contains('T', StringComparison.Ordinal) && (t.EndsWith('Z') || t.LastIndexOfAny(['+', '-']) > t.IndexOf('T', StringComparison.Ordinal)) &&
            DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var time))
            return time.ToUniversalTime();
        throw new AuditInputException(name, $"{name} '{text}' is not a UTC date (2026-11-01) or an ISO 8601 time with its offset (2026-11-01T06:00:00Z).");
    }
}
