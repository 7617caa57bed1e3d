using System.Collections.Concurrent;
using Ayalon.DevHost.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Hosting;

[Trait("Category", "Unit")]
public class CronScheduleRunnerTests
{
    /// <summary>
    /// A fake clock that says when the runner starts waiting (it waits through <see cref="TimeProvider.CreateTimer"/>,
    /// via Task.Delay), so the test moves time only while the runner is parked: no real sleeps, no races.
    /// </summary>
    private sealed class ObservedClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly SemaphoreSlim _timers = new(0);

        /// <summary>When the runner's latest wait ends.</summary>
        public DateTimeOffset WaitingUntil { get; private set; } = DateTimeOffset.MaxValue;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            WaitingUntil = GetUtcNow() + dueTime;
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _timers.Release();
            return timer;
        }

        /// <summary>Until the runner waits again (the timeout only turns a hang into a failure).</summary>
        public async Task RunnerWaitsAsync() =>
            Assert.True(await _timers.WaitAsync(TimeSpan.FromSeconds(30)), "the runner never waited for its next occurrence");
    }

    private static async Task<List<DateTimeOffset>> RunForAsync(string schedule, DateTimeOffset start, TimeSpan span, TimeSpan step,
        TimeSpan? callbackDuration = null)
    {
        var clock = new ObservedClock(start);
        var fired = new ConcurrentQueue<DateTimeOffset>();
        using var cts = new CancellationTokenSource();
        var runner = new CronScheduleRunner(schedule, clock, (occurrence, _, _) =>
        {
            fired.Enqueue(occurrence);
            if (callbackDuration is { } d) clock.Advance(d); // a slow invocation, as a long cycle would be
            return Task.CompletedTask;
        });
        var run = Task.Run(() => runner.RunAsync(cts.Token));
        await clock.RunnerWaitsAsync();
        for (var t = TimeSpan.Zero; t < span; t += step)
        {
            var wakes = clock.GetUtcNow() + step >= clock.WaitingUntil;
            clock.Advance(step);
            if (wakes) await clock.RunnerWaitsAsync(); // it fired (maybe more than once) and is parked again
        }
        cts.Cancel();
        await run;
        return fired.ToList();
    }

    [Fact]
    public async Task Fires_once_per_five_minute_occurrence_on_the_UTC_grid()
    {
        var start = new DateTimeOffset(2026, 11, 27, 7, 0, 30, TimeSpan.Zero);
        var fired = await RunForAsync("0 */5 * * * *", start, TimeSpan.FromMinutes(21), TimeSpan.FromSeconds(7));

        Assert.Equal(
            new[] { 5, 10, 15, 20 }.Select(m => new DateTimeOffset(2026, 11, 27, 7, m, 0, TimeSpan.Zero)),
            fired);
    }

    [Fact]
    public async Task Never_fires_the_same_occurrence_twice_even_with_fine_clock_steps()
    {
        var start = new DateTimeOffset(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);
        var fired = await RunForAsync("*/10 * * * * *", start, TimeSpan.FromSeconds(65), TimeSpan.FromMilliseconds(250));

        Assert.Equal(6, fired.Count);
        Assert.Equal(fired.Count, fired.Distinct().Count());
        Assert.All(fired, f => Assert.Equal(0, f.Second % 10));
    }

    [Fact]
    public async Task A_slow_invocation_skips_missed_occurrences_instead_of_queueing_them()
    {
        var start = new DateTimeOffset(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);
        // Each invocation takes 25 s of clock time on a 10 s schedule.
        var fired = await RunForAsync("*/10 * * * * *", start, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(25));

        Assert.True(fired.Count >= 2);
        // Occurrences that passed during a 25 s invocation are dropped: the next run is the first one still ahead.
        Assert.All(fired.Zip(fired.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(30), p.Second - p.First));
    }

    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-27T07:02:10Z", "2026-11-27T07:05:00Z")]
    [InlineData("0 */5 * * * *", "2026-11-27T07:05:00Z", "2026-11-27T07:10:00Z")]
    [InlineData("*/30 * * * *", "2026-11-27T07:02:10Z", "2026-11-27T07:30:00Z")] // five fields: no seconds
    public void Next_occurrence_is_strictly_after_the_given_instant(string schedule, string after, string expected)
    {
        var runner = new CronScheduleRunner(schedule, TimeProvider.System, (_, _, _) => Task.CompletedTask);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            runner.NextAfter(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
