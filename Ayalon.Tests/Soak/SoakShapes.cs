using Ayalon.DevHost.Simulator;

namespace Ayalon.Tests.Soak;

/// <summary>The special ways a scheduled cycle can be started, each a fault the collector meets in production.</summary>
public static class SoakShapes
{
    /// <summary>The Functions timer firing twice at the same instant on one host.</summary>
    public static async Task DuplicateFiringAsync(SoakRun run)
    {
        await Task.WhenAll(run.RunCycleAsync(run.Host, "timer", "duplicate firing"), run.RunCycleAsync(run.Host, "timer", "duplicate firing"));
    }

    /// <summary>Two instances of a scaled-out app (two hosts on the same tables) firing at the same instant.</summary>
    public static async Task TwoHostsAtOnceAsync(SoakRun run)
    {
        await using var other = run.CreateHost();
        await Task.WhenAll(run.RunCycleAsync(run.Host, "timer", "two hosts"), run.RunCycleAsync(other, "timer", "two hosts"));
    }

    /// <summary>
    /// A slow cycle overtaken by the next: HERE fails fast (its attempt and its one retry answer 500), so TomTom is
    /// asked; its first answer comes at once, its second is held by the simulator. While it is held the clock moves past
    /// the minimum interval and a collect-now (admin) cycle starts and ends; then the held answer is let go and the slow
    /// cycle finishes last.
    /// </summary>
    public static async Task OverlapAsync(SoakRun run)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim(false);
        var tomTomAnswers = 0;
        run.Simulator.Faults.Set(FaultKind.ServerError, count: 2);
        run.OnRequest = r =>
        {
            if (r.Surface != SimulatorSurface.TomTom || r.StatusCode != 200) return;
            if (Interlocked.Increment(ref tomTomAnswers) != 2) return;
            held.TrySetResult();
            // Runs on the simulator's request thread before the answer is sent: the slow cycle waits here.
            release.Wait(TimeSpan.FromSeconds(30));
        };
        try
        {
            var slow = run.RunCycleAsync(run.Host, "timer", "overlap: slow cycle");
            if (await Task.WhenAny(held.Task, slow) == held.Task)
            {
                run.Clock.Advance(SoakRun.MinInterval + TimeSpan.FromSeconds(1));
                await run.RunCycleAsync(run.Host, "admin", "overlap: collect-now during the slow cycle");
                await run.CheckLatestNeverMovesBackAsync(run.Clock.GetUtcNow());
            }
            else
            {
                run.Violation(SoakViolation.NotStaged, "overlap not staged: the slow cycle ended before its second TomTom answer was held");
            }
            run.OnRequest = null;
            release.Set();
            await slow;
            await run.CheckLatestNeverMovesBackAsync(run.Clock.GetUtcNow());
        }
        finally
        {
            run.OnRequest = null;
            release.Set();
            run.Simulator.Faults.Clear();
        }
    }

    /// <summary>Storage goes away in the middle of a cycle: after the provider answered, before anything is written.</summary>
    public static async Task StorageLostMidCycleAsync(SoakRun run)
    {
        var stopped = 0;
        run.OnRequest = r =>
        {
            if (r.StatusCode != 200 || Interlocked.Exchange(ref stopped, 1) != 0) return;
            // On the simulator's request thread, before the answer is sent: storage is gone when the cycle reads it.
            run.StopStorageAsync().GetAwaiter().GetResult();
        };
        try
        {
            await run.RunCycleAsync(run.Host, "timer", "storage lost mid-cycle");
        }
        finally
        {
            run.OnRequest = null;
        }
        if (stopped == 0) run.Violation(SoakViolation.NotStaged, "storage-loss not staged: no provider answer came back in the cycle");
    }

    public static void SustainedFault(SoakRun run, FaultKind kind)
    {
        run.Simulator.Faults.Set(kind);
        run.DriveClockPastTimeouts = kind == FaultKind.Timeout;
    }

    public static void TransientFault(SoakRun run, FaultKind kind, int count)
    {
        run.Simulator.Faults.Set(kind, count);
        run.DriveClockPastTimeouts = kind == FaultKind.Timeout;
    }

    public static void ClearFault(SoakRun run)
    {
        run.Simulator.Faults.Clear();
        run.DriveClockPastTimeouts = false;
    }
}
