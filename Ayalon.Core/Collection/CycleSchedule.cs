using Microsoft.Extensions.Options;
using NCrontab;

namespace Ayalon.Core.Collection;

/// <summary>
/// The one schedule service: everything that depends on how often the collector runs asks it, derived from
/// <c>Collector:Schedule</c> (app setting <c>Collector__Schedule</c>, NCRONTAB, UTC). The timer (the Functions host,
/// and the DevHost's runner through <see cref="NextAfter"/>), the next-cycle time and <c>max-age</c> of cacheable
/// answers, the health thresholds (<see cref="Freshness"/>) and the expected cycles of analytics all follow it, so
/// changing the setting cannot leave a stale copy of the cadence behind.
/// </summary>
/// <remarks>
/// Parsing follows the Functions timer: six fields (seconds first), or five (no seconds, fires at second 0).
/// An expression that does not parse, or never fires within a year, is refused with a message naming the setting;
/// the options validator (<see cref="CycleScheduleValidator"/>) makes that stop the host at start.
/// </remarks>
public sealed class CycleSchedule
{
    public const string SettingKey = CollectorOptions.SectionName + ":" + nameof(CollectorOptions.Schedule);
    public const string AppSettingName = CollectorOptions.SectionName + "__" + nameof(CollectorOptions.Schedule);

    /// <summary>The schedule's gaps are sampled over this span from a fixed Monday (a week covers every weekday pattern).</summary>
    private static readonly TimeSpan SampleSpan = TimeSpan.FromDays(8);
    private static readonly DateTime SampleStart = new(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);
    private const int MaxSampledOccurrences = 200_000;

    private readonly CrontabSchedule _cron;

    public CycleSchedule(IOptions<CollectorOptions> options) : this(options.Value.Schedule)
    {
    }

    public CycleSchedule(string expression)
    {
        if (Problem(expression, out var cron, out var interval) is { } problem) throw new InvalidScheduleException(problem);
        Expression = expression.Trim();
        _cron = cron!;
        Interval = interval;
        Freshness = FreshnessThresholds.For(interval);
    }

    public string Expression { get; }

    /// <summary>
    /// The nominal interval: the longest gap between consecutive occurrences (sampled over a week). For
    /// <c>0 */5 * * * *</c> it is 5 minutes; a schedule that pauses at night has its pause as interval, so health does
    /// not call a planned pause an outage.
    /// </summary>
    public TimeSpan Interval { get; }

    /// <summary>The health and data-status thresholds, in multiples of <see cref="Interval"/>.</summary>
    public FreshnessThresholds Freshness { get; }

    /// <summary>The first occurrence strictly after <paramref name="instantUtc"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset instantUtc) => Utc(_cron.GetNextOccurrence(instantUtc.UtcDateTime));

    /// <summary>The latest occurrence at or before <paramref name="instantUtc"/> (the slot a cycle started then belongs to).</summary>
    public DateTimeOffset SlotOf(DateTimeOffset instantUtc)
    {
        // The slot is within one interval before the instant (the interval is the longest gap).
        var probe = instantUtc - Interval - TimeSpan.FromSeconds(1);
        var slot = NextAfter(probe);
        for (var next = NextAfter(slot); next <= instantUtc; next = NextAfter(next)) slot = next;
        return slot;
    }

    /// <summary>Occurrences in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>], in order.</summary>
    public IEnumerable<DateTimeOffset> OccurrencesBetween(DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        if (toUtc < fromUtc) yield break;
        for (var t = NextAfter(fromUtc.AddTicks(-1)); t <= toUtc; t = NextAfter(t)) yield return t;
    }

    /// <summary>
    /// Seconds a read answer may be cached: until the next occurrence (when a cycle can change it), within
    /// [0, <see cref="Interval"/>].
    /// </summary>
    public int MaxAgeSeconds(DateTimeOffset nowUtc) =>
        (int)Math.Clamp(Math.Floor((NextAfter(nowUtc) - nowUtc).TotalSeconds), 0, Interval.TotalSeconds);

    /// <summary>Null when the expression is usable; else why not, naming the setting.</summary>
    public static string? Problem(string? expression) => Problem(expression, out _, out _);

    private static string? Problem(string? expression, out CrontabSchedule? cron, out TimeSpan interval)
    {
        cron = null;
        interval = TimeSpan.Zero;
        var shown = expression is null ? "(not set)" : "'" + expression + "'";
        var fields = (expression ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
            return $"{SettingKey} (app setting {AppSettingName}) is {shown}: an NCRONTAB expression needs six fields " +
                   "(second minute hour day month day-of-week, UTC), e.g. '0 */5 * * * *' for every five minutes.";
        cron = CrontabSchedule.TryParse(expression!.Trim(), new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
        if (cron is null)
            return $"{SettingKey} (app setting {AppSettingName}) is {shown}, which is not a valid NCRONTAB expression " +
                   "(second minute hour day month day-of-week, UTC), e.g. '0 */5 * * * *' for every five minutes.";

        var sampled = 0;
        DateTime? previous = null;
        var longest = TimeSpan.Zero;
        foreach (var t in cron.GetNextOccurrences(SampleStart, SampleStart + SampleSpan))
        {
            if (previous is { } p && t - p > longest) longest = t - p;
            previous = t;
            if (++sampled >= MaxSampledOccurrences) break;
        }
        if (sampled < 2)
        {
            // Sparse schedules (daily or rarer): look over a year.
            var yearly = cron.GetNextOccurrences(SampleStart, SampleStart.AddDays(400)).Take(2000).ToList();
            for (var i = 1; i < yearly.Count; i++) if (yearly[i] - yearly[i - 1] > longest) longest = yearly[i] - yearly[i - 1];
            if (yearly.Count < 2)
            {
                cron = null;
                return $"{SettingKey} (app setting {AppSettingName}) is {shown}, which fires less than twice a year: the collector would not run.";
            }
        }
        interval = longest;
        return null;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}

/// <summary>
/// The freshness rule's thresholds, derived from the schedule's interval I: healthy below 2·I (one cycle may be
/// late or fail), degraded below 6·I, stale below 24·I, else collector_down; the collector is "silent" after 4·I
/// without a cycle. At the 5-minute default: 600, 1800, 7200 and 1200 s (the alert rule's 20 minutes).
/// </summary>
public sealed record FreshnessThresholds(TimeSpan HealthyBelow, TimeSpan DegradedBelow, TimeSpan StaleBelow, TimeSpan CollectorSilentAfter)
{
    public const int HealthyIntervals = 2;
    public const int DegradedIntervals = 6;
    public const int StaleIntervals = 24;
    public const int CollectorSilentIntervals = 4;

    public static FreshnessThresholds For(TimeSpan interval) =>
        new(interval * HealthyIntervals, interval * DegradedIntervals, interval * StaleIntervals, interval * CollectorSilentIntervals);
}

/// <summary>A <c>Collector:Schedule</c> that cannot drive the collector; the message names the setting.</summary>
public sealed class InvalidScheduleException(string message) : Exception(message);

/// <summary>Stops the host at start (ValidateOnStart) when <c>Collector:Schedule</c> is unusable — never a silent fallback.</summary>
public sealed class CycleScheduleValidator : IValidateOptions<CollectorOptions>
{
    public ValidateOptionsResult Validate(string? name, CollectorOptions options) =>
        CycleSchedule.Problem(options.Schedule) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
