using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Infrastructure;

/// <summary>
/// A fake clock for a DevHost whose timer runs on it. The DevHost's schedule runner waits for each occurrence
/// through <see cref="TimeProvider.CreateTimer"/> (Task.Delay on the app's clock), and only after the previous
/// occurrence's invocation has finished; this clock notes every timer created and the instant it is due, so a test
/// can wait until the runner is parked on an occurrence, move the clock to it, and then wait until the runner is
/// parked on the next one — the invocation is over. The schedule never runs on real time; the only real wait is the
/// bound that turns a hang into a failure.
/// </summary>
public sealed class TimerClock(DateTimeOffset startUtc) : FakeTimeProvider(startUtc)
{
    /// <summary>Long enough for a collection cycle against the simulator and Azurite on a loaded 2-core machine.</summary>
    public static readonly TimeSpan DefaultWaitBound = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private readonly Dictionary<DateTimeOffset, int> _timersDueAt = [];
    private TaskCompletionSource _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var dueUtc = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : GetUtcNow() + dueTime;
        var timer = base.CreateTimer(callback, state, dueTime, period);
        TaskCompletionSource created;
        lock (_gate)
        {
            _timersDueAt[dueUtc] = _timersDueAt.GetValueOrDefault(dueUtc) + 1;
            created = _timerCreated;
            _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        created.TrySetResult();
        return timer;
    }

    /// <summary>How many timers have been created due exactly at <paramref name="dueUtc"/>.</summary>
    public int TimersDueAt(DateTimeOffset dueUtc)
    {
        lock (_gate) return _timersDueAt.GetValueOrDefault(dueUtc);
    }

    /// <summary>
    /// Until <paramref name="count"/> timers due exactly at <paramref name="dueUtc"/> exist (one per DevHost whose
    /// schedule runner is parked on that occurrence); fails after <paramref name="bound"/> of real time.
    /// </summary>
    public async Task WaitForTimersDueAtAsync(DateTimeOffset dueUtc, int count = 1, TimeSpan? bound = null)
    {
        var limit = bound ?? DefaultWaitBound;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            Task created;
            lock (_gate)
            {
                if (_timersDueAt.GetValueOrDefault(dueUtc) >= count) return;
                created = _timerCreated.Task;
            }
            var left = limit - waited.Elapsed;
            if (left <= TimeSpan.Zero || await Task.WhenAny(created, Task.Delay(left)) != created)
            {
                Assert.Fail($"{TimersDueAt(dueUtc)} of {count} timer(s) due at {dueUtc:O} after {limit.TotalSeconds:0} s " +
                            $"(clock at {GetUtcNow():O}): the schedule runner never parked on that occurrence");
            }
        }
    }

    /// <summary>Moves the clock forward to <paramref name="instantUtc"/> (firing every timer due by then).</summary>
    public void AdvanceTo(DateTimeOffset instantUtc)
    {
        var step = instantUtc - GetUtcNow();
        if (step < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(instantUtc), $"{instantUtc:O} is before the clock's {GetUtcNow():O}");
        Advance(step);
    }
}
