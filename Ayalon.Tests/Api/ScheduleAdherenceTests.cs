using Ayalon.Core.Analytics;
using Ayalon.Core.Api;
using Ayalon.Core.Storage;

namespace Ayalon.Tests.Api;

/// <summary>Expected, ran, skipped and missed cycles, counted against the schedule's occurrences (pure, no storage).</summary>
[Trait("Category", "Unit")]
public class ScheduleAdherenceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);

    private static CycleRecord Cycle(DateTimeOffset start, string status) =>
        new("c" + start.UtcTicks + status, "timer", start, start.AddMilliseconds(300), status, "ok", "here", 1, 6, 6, 6, 0, 0, [], null, "2");

    [Fact]
    public void Two_hosts_on_one_storage_each_slot_ran_once_and_skipped_once()
    {
        var schedule = new CycleSchedule("*/5 * * * * *");
        var records = new List<CycleRecord>();
        for (var i = 0; i < 6; i++)
        {
            var slot = T0.AddSeconds(5 * i);
            records.Add(Cycle(slot.AddMilliseconds(20), CycleStatus.Ok));
            records.Add(Cycle(slot.AddMilliseconds(45), CycleStatus.Skipped)); // the other host lost the lease
        }
        var now = T0.AddSeconds(29);

        var (s, uptime) = AnalyticsService.Adherence(schedule, records, T0.AddMilliseconds(20), 6, T0.AddHours(-24), now);

        Assert.Equal(T0, s.FromUtc);
        Assert.Equal((6, 6, 6, 0, 100.0), (s.ExpectedCycles, s.RanCycles, s.SkippedCycles, s.MissedCycles, s.AdherencePercent));
        Assert.Equal(100.0, uptime.UptimePercent);
        Assert.Equal(T0.AddSeconds(30), s.NextCycleUtc);
    }

    [Fact]
    public void A_slot_without_any_cycle_is_missed_and_a_slot_with_only_a_skip_is_not_kept()
    {
        var schedule = new CycleSchedule("0 */5 * * * *");
        var records = new List<CycleRecord>
        {
            Cycle(T0.AddSeconds(1), CycleStatus.Ok),
            Cycle(T0.AddMinutes(5).AddSeconds(1), CycleStatus.Failed),
            Cycle(T0.AddMinutes(10).AddSeconds(1), CycleStatus.Skipped),
            // 07:15 had nothing at all
            Cycle(T0.AddMinutes(20).AddSeconds(1), CycleStatus.Partial),
        };

        var (s, uptime) = AnalyticsService.Adherence(schedule, records, T0.AddDays(-3), 1, T0, T0.AddMinutes(24));

        Assert.Equal((5, 3, 1, 1), (s.ExpectedCycles, s.RanCycles, s.SkippedCycles, s.MissedCycles));
        Assert.Equal(60.0, s.AdherencePercent);   // 07:00, 07:05 and 07:20 ran
        Assert.Equal(40.0, uptime.UptimePercent); // only 07:00 (ok) and 07:20 (partial) were good
    }

    [Fact]
    public void Before_any_cycle_nothing_is_expected_yet()
    {
        var (s, uptime) = AnalyticsService.Adherence(new CycleSchedule("0 */5 * * * *"), [], null, 0, T0.AddHours(-24), T0);
        Assert.Equal((0, 0, 0, 0), (s.ExpectedCycles, s.RanCycles, s.SkippedCycles, s.MissedCycles));
        Assert.Null(s.AdherencePercent);
        Assert.Null(s.FromUtc);
        Assert.Null(uptime.UptimePercent);
    }
}
