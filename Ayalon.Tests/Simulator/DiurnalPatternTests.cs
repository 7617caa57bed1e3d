using Ayalon.Core.Traffic;
using Ayalon.DevHost.Simulator;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class DiurnalPatternTests
{
    private const string North = "ayalon_n_laguardia_arlozorov";
    private const string South = "ayalon_s_arlozorov_laguardia";

    private static async Task<FlowPiece> FlowAtAsync(SimulatorHarness sim, string sectionId)
    {
        using var response = await sim.GetFlowAsync(Midpoint(sectionId));
        var parsed = TomTomFlowParser.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(parsed.IsOk, parsed.Error);
        return parsed.Piece!;
    }

    [Theory]
    [InlineData("2026-09-15T00:00:00Z")] // Tue 03:00 IDT
    [InlineData("2026-09-15T21:30:00Z")] // Wed 00:30 IDT
    [InlineData("2026-09-19T01:00:00Z")] // Sat 04:00 IDT
    [InlineData("2026-01-13T01:00:00Z")] // Tue 03:00 IST (winter, UTC+2)
    public async Task Night_is_free_flow_in_both_directions(string utc)
    {
        await using var sim = await StartAsync(nowUtc: DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
        foreach (var section in new[] { North, South })
        {
            var piece = await FlowAtAsync(sim, section);
            Assert.Equal(piece.FreeFlowSpeedKmh, piece.CurrentSpeedKmh);
            Assert.Equal(piece.FreeFlowTravelTimeSeconds, piece.CurrentTravelTimeSeconds);
        }
    }

    [Fact]
    public async Task Weekday_morning_peak_is_congested_and_heavier_northbound()
    {
        // 05:30 UTC is 08:30 in Tel Aviv (IDT): a clock read as UTC would see an empty road here.
        await using var sim = await StartAsync(nowUtc: WeekdayMorningPeakUtc);
        var north = await FlowAtAsync(sim, North);
        var south = await FlowAtAsync(sim, South);

        Assert.True(north.CurrentSpeedKmh < 0.75 * north.FreeFlowSpeedKmh, $"northbound {north.CurrentSpeedKmh} of {north.FreeFlowSpeedKmh} km/h");
        Assert.True(north.CurrentTravelTimeSeconds > north.FreeFlowTravelTimeSeconds);
        Assert.True(north.CurrentSpeedKmh / north.FreeFlowSpeedKmh < south.CurrentSpeedKmh / south.FreeFlowSpeedKmh);
    }

    [Fact]
    public async Task Weekday_evening_peak_is_congested_and_heavier_southbound()
    {
        await using var sim = await StartAsync(nowUtc: WeekdayEveningPeakUtc);
        var north = await FlowAtAsync(sim, North);
        var south = await FlowAtAsync(sim, South);

        Assert.True(south.CurrentSpeedKmh < 0.75 * south.FreeFlowSpeedKmh, $"southbound {south.CurrentSpeedKmh} of {south.FreeFlowSpeedKmh} km/h");
        Assert.True(south.CurrentSpeedKmh / south.FreeFlowSpeedKmh < north.CurrentSpeedKmh / north.FreeFlowSpeedKmh);
    }

    [Fact]
    public async Task Saturday_morning_is_lighter_than_a_weekday_morning()
    {
        await using var sim = await StartAsync(nowUtc: WeekdayMorningPeakUtc);
        var tuesday = await FlowAtAsync(sim, North);
        sim.Clock.SetUtcNow(SaturdayMorningUtc);
        var saturday = await FlowAtAsync(sim, North);

        Assert.True(saturday.CurrentSpeedKmh > tuesday.CurrentSpeedKmh + 10, $"Saturday {saturday.CurrentSpeedKmh}, Tuesday {tuesday.CurrentSpeedKmh} km/h");
    }

    [Fact]
    public async Task The_pattern_follows_the_injected_clock()
    {
        await using var sim = await StartAsync(nowUtc: WeekdayNightUtc);
        var night = await FlowAtAsync(sim, North);
        sim.Clock.SetUtcNow(WeekdayMorningPeakUtc);
        var peak = await FlowAtAsync(sim, North);

        Assert.Equal(night.FreeFlowSpeedKmh, night.CurrentSpeedKmh);
        Assert.True(peak.CurrentSpeedKmh < night.CurrentSpeedKmh);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(7)]
    public async Task Same_seed_and_time_give_byte_identical_answers(int seed)
    {
        await using var a = await StartAsync(o => o.Seed = seed, WeekdayMorningPeakUtc.AddMinutes(17));
        await using var b = await StartAsync(o => o.Seed = seed, WeekdayMorningPeakUtc.AddMinutes(17));
        foreach (var id in SectionIds)
        {
            using var ra = await a.GetFlowAsync(Midpoint(id));
            using var rb = await b.GetFlowAsync(Midpoint(id));
            Assert.Equal(await ra.Content.ReadAsByteArrayAsync(), await rb.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Different_times_and_seeds_give_different_answers()
    {
        await using var a = await StartAsync(o => o.Seed = 1, WeekdayMorningPeakUtc);
        await using var b = await StartAsync(o => o.Seed = 2, WeekdayMorningPeakUtc);
        var peakA = await FlowAtAsync(a, North);
        var peakB = await FlowAtAsync(b, North);
        a.Clock.SetUtcNow(WeekdayMorningPeakUtc.AddMinutes(30));
        var laterA = await FlowAtAsync(a, North);

        Assert.NotEqual((peakA.CurrentSpeedKmh, peakA.FreeFlowSpeedKmh), (peakB.CurrentSpeedKmh, peakB.FreeFlowSpeedKmh));
        Assert.NotEqual(peakA.CurrentSpeedKmh, laterA.CurrentSpeedKmh);
    }

    [Fact]
    public void Speeds_hold_within_each_clock_aligned_step_so_sampling_rate_does_not_matter()
    {
        var pattern = new DiurnalTrafficPattern(seed: 20, stepMinutes: 5);
        var stepStart = new DateTimeOffset(2026, 9, 15, 5, 0, 0, TimeSpan.Zero);
        var changes = 0;
        for (var step = 0; step < 24; step++)
        {
            var start = stepStart.AddMinutes(5 * step);
            var first = pattern.At("northbound", start);
            // 2.5-minute and 1-minute samples inside the step all see the step's speeds.
            foreach (var offsetSeconds in new[] { 60, 150, 299 })
            {
                Assert.Equal(first, pattern.At("northbound", start.AddSeconds(offsetSeconds)));
            }
            if (pattern.At("northbound", start.AddMinutes(5)) != first) changes++;
        }
        Assert.True(changes > 12, $"the speeds changed at only {changes} of 24 step boundaries during the peak");
    }

    [Fact]
    public void Free_flow_speed_is_90_to_100_kmh_and_current_never_exceeds_it_over_a_week()
    {
        var pattern = new DiurnalTrafficPattern(seed: 20);
        var start = new DateTimeOffset(2026, 9, 13, 0, 0, 0, TimeSpan.Zero);
        var congestedSteps = 0;
        for (var t = start; t < start.AddDays(7); t = t.AddMinutes(5))
        {
            foreach (var direction in new[] { "northbound", "southbound" })
            {
                var s = pattern.At(direction, t);
                Assert.InRange(s.FreeFlowSpeedKmh, 90, 100);
                Assert.InRange(s.CurrentSpeedKmh, 5, s.FreeFlowSpeedKmh);
                if (s.CurrentSpeedKmh < 0.75 * s.FreeFlowSpeedKmh) congestedSteps++;
            }
        }
        // A plausible week has congestion for a few hours a weekday, not all day and not never.
        Assert.InRange(congestedSteps, 2 * 5 * 12, 2 * 7 * 12 * 8);
    }
}
