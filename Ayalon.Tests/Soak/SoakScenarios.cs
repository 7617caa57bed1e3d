using Ayalon.DevHost.Simulator;

namespace Ayalon.Tests.Soak;

/// <summary>The two soak runs' fault schedules (UTC).</summary>
public static class SoakScenarios
{
    /// <summary>Two weeks around Israel's return to standard time: 2026-10-25 02:00 IDT became 01:00 IST (23:00 UTC on the 24th).</summary>
    public static readonly DateTimeOffset FourteenDaysStartUtc = new(2026, 10, 18, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset FourteenDaysEndUtc = FourteenDaysStartUtc.AddDays(14);
    public static readonly DateTimeOffset DstChangeUtc = new(2026, 10, 24, 23, 0, 0, TimeSpan.Zero);

    /// <summary>Every fault the simulator can switch on (all but "none").</summary>
    public static readonly IReadOnlyList<FaultKind> ProviderFaults = Enum.GetValues<FaultKind>().Where(k => k != FaultKind.None).ToList();

    /// <summary>
    /// 14 days on Azurite persisting to disk. Every day: one provider fault for an hour (each kind in turn) and another
    /// for half an hour, a counted (transient) fault, the timer firing twice, a slow cycle overtaken by a collect-now,
    /// a host restart; every other day two hosts firing at once; every third day storage stopped for 20 minutes; every
    /// fourth day storage lost in the middle of a cycle; and around the DST change a restart, an overlap and a double
    /// firing.
    /// </summary>
    public static SoakScenario FourteenDaysOnDisk()
    {
        var s = new SoakScenario();
        var kinds = ProviderFaults;
        for (var d = 0; d < 14; d++)
        {
            var day = FourteenDaysStartUtc.AddDays(d);
            var sustained = kinds[d % kinds.Count];
            s.At(day.AddHours(1), $"provider fault {sustained} (every request)", r => SoakShapes.SustainedFault(r, sustained));
            s.At(day.AddHours(2), "provider fault cleared", SoakShapes.ClearFault);

            var transient = kinds[(d + 5) % kinds.Count];
            s.At(day.AddHours(4), $"provider fault {transient} (next 2 requests)", r => SoakShapes.TransientFault(r, transient, 2));
            s.At(day.AddHours(4).AddMinutes(30), "provider fault cleared", SoakShapes.ClearFault);

            s.CycleAt(day.AddHours(6), "duplicate timer firing", SoakShapes.DuplicateFiringAsync);
            if (d % 2 == 0) s.CycleAt(day.AddHours(9), "two hosts at once", SoakShapes.TwoHostsAtOnceAsync);
            else s.At(day.AddHours(9), "host restart", r => r.RestartHostAsync());
            s.CycleAt(day.AddHours(12), "slow cycle overtaken", SoakShapes.OverlapAsync);
            if (d % 3 == 0)
            {
                s.At(day.AddHours(15), "storage stopped (on disk)", r => r.StopStorageAsync());
                s.At(day.AddHours(15).AddMinutes(20), "storage started (on disk)", r => r.StartStorageAsync());
            }
            if (d % 4 == 1)
            {
                s.CycleAt(day.AddHours(18), "storage lost mid-cycle", SoakShapes.StorageLostMidCycleAsync);
                s.At(day.AddHours(18).AddMinutes(10), "storage started (on disk)", r => r.StartStorageAsync());
            }
            s.At(day.AddHours(21), "host restart", r => r.RestartHostAsync());

            var evening = kinds[(d + 9) % kinds.Count];
            s.At(day.AddHours(22), $"provider fault {evening} (every request)", r => SoakShapes.SustainedFault(r, evening));
            s.At(day.AddHours(22).AddMinutes(30), "provider fault cleared", SoakShapes.ClearFault);
        }

        // Around the change itself (local days of 24 h and 25 h meet here).
        s.At(DstChangeUtc.AddMinutes(-10), "host restart (DST)", r => r.RestartHostAsync());
        s.CycleAt(DstChangeUtc.AddMinutes(-5), "duplicate timer firing (DST)", SoakShapes.DuplicateFiringAsync);
        s.CycleAt(DstChangeUtc, "slow cycle overtaken (DST)", SoakShapes.OverlapAsync);
        s.CycleAt(DstChangeUtc.AddMinutes(5), "two hosts at once (DST)", SoakShapes.TwoHostsAtOnceAsync);
        return s;
    }

    public static readonly DateTimeOffset InMemoryStartUtc = new(2026, 10, 24, 18, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset InMemoryEndUtc = InMemoryStartUtc.AddDays(1);

    /// <summary>
    /// One day (across the DST change) on Azurite in memory, restarted empty twice, each time with the host left
    /// running for an hour (it must find its tables gone and create them again by itself) and then restarted. The run's
    /// figures count from the last storage restart, since everything before it went with the storage.
    /// </summary>
    public static SoakScenario OneDayInMemory()
    {
        var s = new SoakScenario();
        var t = InMemoryStartUtc;
        s.At(t.AddHours(2), "storage restarted empty (in memory), host left running", r => r.RestartStorageEmptyAsync());
        s.At(t.AddHours(3), "host restart", r => r.RestartHostAsync());
        s.CycleAt(t.AddHours(4), "duplicate timer firing", SoakShapes.DuplicateFiringAsync);
        s.CycleAt(DstChangeUtc, "two hosts at once (DST)", SoakShapes.TwoHostsAtOnceAsync);
        s.CycleAt(DstChangeUtc.AddMinutes(30), "slow cycle overtaken (DST)", SoakShapes.OverlapAsync);
        s.At(t.AddHours(12), "storage restarted empty (in memory), host left running", r => r.RestartStorageEmptyAsync());
        s.At(t.AddHours(13), "host restart", r => r.RestartHostAsync());
        s.CycleAt(t.AddHours(14), "slow cycle overtaken", SoakShapes.OverlapAsync);
        s.CycleAt(t.AddHours(15), "duplicate timer firing", SoakShapes.DuplicateFiringAsync);
        s.CycleAt(t.AddHours(16), "two hosts at once", SoakShapes.TwoHostsAtOnceAsync);
        s.At(t.AddHours(17), $"provider fault {FaultKind.Unavailable} (every request)", r => SoakShapes.SustainedFault(r, FaultKind.Unavailable));
        s.At(t.AddHours(17).AddMinutes(30), "provider fault cleared", SoakShapes.ClearFault);
        return s;
    }
}
