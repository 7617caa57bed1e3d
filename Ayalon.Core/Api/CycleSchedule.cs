using Ayalon.Core.Collection;
using Microsoft.Extensions.Options;
using NCrontab;

namespace Ayalon.Core.Api;

/// <summary>When the timer runs next (<c>Collector:Schedule</c>, NCRONTAB with seconds, UTC): the horizon of every cache.</summary>
public sealed class CycleSchedule(IOptionsMonitor<CollectorOptions> options)
{
    private string? _expression;
    private CrontabSchedule? _schedule;

    public DateTimeOffset NextAfter(DateTimeOffset nowUtc)
    {
        var expression = options.CurrentValue.Schedule;
        var schedule = _schedule;
        if (schedule is null || !string.Equals(expression, _expression, StringComparison.Ordinal))
        {
            schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
                       ?? CrontabSchedule.Parse("0 */5 * * * *", new CrontabSchedule.ParseOptions { IncludingSeconds = true });
            _schedule = schedule;
            _expression = expression;
        }
        var next = schedule.GetNextOccurrence(nowUtc.UtcDateTime);
        return new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc));
    }
}
