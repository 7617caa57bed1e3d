using Ayalon.Core.Collection;

namespace Ayalon.DevHost.Hosting;

/// <summary>
/// Fires a callback on every occurrence of a schedule (the app's one <see cref="CycleSchedule"/>: NCRONTAB, UTC), the
/// way the Functions timer does. Each next occurrence is computed from the previous one, never from "now" after the
/// delay: a delay that returns a little early would otherwise fire the same occurrence again.
/// </summary>
public sealed class CronScheduleRunner(CycleSchedule schedule, TimeProvider time, Func<DateTimeOffset, DateTimeOffset, CancellationToken, Task> onOccurrence)
{
    /// <summary>A runner for an expression, parsed by the same rules as <c>Collector:Schedule</c>.</summary>
    public CronScheduleRunner(string schedule, TimeProvider time, Func<DateTimeOffset, DateTimeOffset, CancellationToken, Task> onOccurrence)
        : this(new CycleSchedule(schedule), time, onOccurrence)
    {
    }

    public DateTimeOffset NextAfter(DateTimeOffset instantUtc) => schedule.NextAfter(instantUtc);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var occurrence = NextAfter(time.GetUtcNow());
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = occurrence - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            var next = NextAfter(occurrence);
            await onOccurrence(occurrence, next, cancellationToken).ConfigureAwait(false);
            occurrence = next;
            // If the callback ran past later occurrences, skip them (the Functions timer does not queue them).
            var now = time.GetUtcNow();
            while (occurrence < now - TimeSpan.FromSeconds(1)) occurrence = NextAfter(occurrence);
        }
    }
}
