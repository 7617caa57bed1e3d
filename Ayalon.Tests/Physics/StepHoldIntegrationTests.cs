using System.Text;
using Ayalon.Core.Impact;
using static Ayalon.Tests.Physics.PhysicsTestData;

namespace Ayalon.Tests.Physics;

/// <summary>Step-hold time integration (docs/METHODOLOGY.md §4): holds, gaps, buckets, volumes, and the incremental form.</summary>
[Trait("Category", "Unit")]
public class StepHoldIntegrationTests
{
    private static readonly StepHoldIntegrator Integrator = new(Constants);
    private static readonly DateTimeOffset T0 = new(2026, 9, 15, 6, 0, 0, TimeSpan.Zero); // Tuesday 09:00 local

    private static VolumeProfile DemoProfile => VolumeProfile.LoadFile(Path.Combine(AppContext.BaseDirectory, "Impact", "volume-profile.synthetic-demo.json"));

    /// <summary>A traffic "truth" that changes every 5 minutes: the delay a sampler at time t would observe.</summary>
    private static double? TrafficDelayAt(DateTimeOffset t)
    {
        var step = (int)((t - T0).TotalMinutes / 5);
        if (step % 7 == 6) return null; // every 7th 5-minute step the provider had no valid value
        return 10 + 17 * ((step * 37) % 11);
    }

    private static List<DelaySample> Sample(TimeSpan every, TimeSpan span)
    {
        var samples = new List<DelaySample>();
        for (var t = T0; t < T0 + span; t += every)
        {
            var d = TrafficDelayAt(t);
            samples.Add(new DelaySample(t, d, d > 60));
        }
        return samples;
    }

    [Fact]
    public void A_constant_delay_held_all_window_integrates_to_delay_times_window()
    {
        var samples = Enumerable.Range(0, 12).Select(i => new DelaySample(T0.AddMinutes(5 * i), 30, false)).ToList();

        var total = Integrator.Integrate(samples, T0, T0.AddHours(1)).Total;

        Assert.Equal(3600, total.ObservedSeconds, 1e-9);
        Assert.Equal(1.0, total.Coverage, 1e-12);
        Assert.Equal(30 * 3600, total.DelayIntegralSecondsSquared, 1e-6);
        Assert.Equal(30, total.MeanDelaySeconds!.Value, 1e-9);
        Assert.Equal(0, total.GapSeconds, 1e-9);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(48)]
    public void The_same_traffic_sampled_every_5_or_every_2_5_minutes_integrates_the_same(int hours)
    {
        var span = TimeSpan.FromHours(hours);
        var every5 = Sample(TimeSpan.FromMinutes(5), span);
        var every2_5 = Sample(TimeSpan.FromMinutes(2.5), span);
        var profile = DemoProfile;

        var a = Integrator.Integrate(every5, T0, T0 + span, profile, "northbound").Total;
        var b = Integrator.Integrate(every2_5, T0, T0 + span, profile, "northbound").Total;

        Assert.True(a.DelayIntegralSecondsSquared > 0);
        Assert.Equal(a.ObservedSeconds, b.ObservedSeconds, 1e-6);
        Assert.Equal(a.DelayIntegralSecondsSquared, b.DelayIntegralSecondsSquared, 1e-6);
        Assert.Equal(a.CongestedSeconds, b.CongestedSeconds, 1e-6);
        Assert.Equal(a.VehicleDelayHours!.Value, b.VehicleDelayHours!.Value, 1e-9);
        Assert.Equal(a.MaxDelaySeconds, b.MaxDelaySeconds);
    }

    [Theory]
    [InlineData(300, 3600, 3600)]     // every 5 min: fully held
    [InlineData(600, 3600, 3600)]     // every 10 min: exactly the hold limit
    [InlineData(900, 3600, 2400)]     // every 15 min: 600 s held, 300 s gap each
    [InlineData(1800, 3600, 1200)]
    public void Gaps_longer_than_the_600_second_hold_reduce_coverage_and_add_nothing(int everySeconds, int windowSeconds, double expectedObserved)
    {
        var samples = Enumerable.Range(0, windowSeconds / everySeconds)
            .Select(i => new DelaySample(T0.AddSeconds(everySeconds * i), 20, true)).ToList();

        var total = Integrator.Integrate(samples, T0, T0.AddSeconds(windowSeconds)).Total;

        Assert.Equal(expectedObserved, total.ObservedSeconds, 1e-9);
        Assert.Equal(windowSeconds - expectedObserved, total.GapSeconds, 1e-9);
        Assert.Equal(expectedObserved / windowSeconds, total.Coverage, 1e-12);
        Assert.Equal(20 * expectedObserved, total.DelayIntegralSecondsSquared, 1e-6);
        Assert.Equal(expectedObserved, total.CongestedSeconds, 1e-9);
        Assert.Equal(20, total.MeanDelaySeconds!.Value, 1e-12);
    }

    [Fact]
    public void An_invalid_observation_ends_the_previous_hold_and_starts_a_gap()
    {
        var samples = new[]
        {
            new DelaySample(T0, 50, true),
            new DelaySample(T0.AddSeconds(120), null, false), // insufficient coverage at 120 s
            new DelaySample(T0.AddSeconds(300), 10, false),
        };

        var total = Integrator.Integrate(samples, T0, T0.AddSeconds(600)).Total;

        Assert.Equal(120 + 300, total.ObservedSeconds, 1e-9);
        Assert.Equal(50 * 120 + 10 * 300, total.DelayIntegralSecondsSquared, 1e-9);
        Assert.Equal(120, total.CongestedSeconds, 1e-9);
        Assert.Equal(10, total.MinDelaySeconds);
        Assert.Equal(50, total.MaxDelaySeconds);
    }

    [Fact]
    public void An_observation_before_the_window_counts_only_inside_it_and_the_last_hold_stops_at_the_window_end()
    {
        var samples = new[] { new DelaySample(T0.AddSeconds(-200), 40, false) };

        var total = Integrator.Integrate(samples, T0, T0.AddSeconds(300)).Total;

        Assert.Equal(300, total.WindowSeconds);
        Assert.Equal(300, total.ObservedSeconds, 1e-9); // 600 s hold from −200 s: 400 s left, window ends at 300 s
        Assert.Equal(40 * 300, total.DelayIntegralSecondsSquared, 1e-9);
    }

    [Fact]
    public void An_empty_series_is_all_gap_with_no_mean()
    {
        var total = Integrator.Integrate([], T0, T0.AddHours(2)).Total;

        Assert.Equal(0, total.Coverage);
        Assert.Equal(7200, total.GapSeconds);
        Assert.Null(total.MeanDelaySeconds);
        Assert.Null(total.MaxDelaySeconds);
    }

    [Fact]
    public void Samples_out_of_time_order_are_refused()
    {
        var samples = new[] { new DelaySample(T0.AddMinutes(5), 1, false), new DelaySample(T0, 1, false) };

        Assert.Throws<ArgumentException>(() => Integrator.Integrate(samples, T0, T0.AddHours(1)));
    }

    [Fact]
    public void A_hold_across_an_hour_boundary_is_split_into_utc_hour_buckets()
    {
        var samples = new[] { new DelaySample(T0.AddMinutes(55), 12, false) };

        var result = Integrator.Integrate(samples, T0, T0.AddHours(2));

        Assert.Equal(2, result.HourlyUtc.Count);
        Assert.Equal(T0, result.HourlyUtc[0].FromUtc);
        Assert.Equal(300, result.HourlyUtc[0].ObservedSeconds, 1e-9);
        Assert.Equal(300, result.HourlyUtc[1].ObservedSeconds, 1e-9);
        Assert.Equal(3600, result.HourlyUtc[1].WindowSeconds);
        Assert.Equal(300.0 / 3600, result.HourlyUtc[1].Coverage, 1e-12);
    }

    [Theory]
    [InlineData(2026, 3, 27, 23)]   // Israel: clocks go forward at 02:00 on the Friday before the last Sunday of March
    [InlineData(2026, 10, 25, 25)]  // and back at 02:00 on the last Sunday of October
    [InlineData(2026, 9, 15, 24)]
    public void Local_days_follow_jerusalem_time_including_dst_changes(int y, int m, int d, int expectedHours)
    {
        var zone = Constants.LocalTimeZone;
        var localMidnight = new DateTime(y, m, d, 0, 0, 0, DateTimeKind.Unspecified);
        var from = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(localMidnight, zone));
        var to = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(localMidnight.AddDays(1), zone));
        var samples = Enumerable.Range(0, expectedHours * 12).Select(i => new DelaySample(from.AddMinutes(5 * i), 5, false)).ToList();

        var result = Integrator.Integrate(samples, from, to);

        var day = Assert.Single(result.DailyLocal);
        Assert.Equal(new DateOnly(y, m, d), day.LocalDate);
        Assert.Equal(expectedHours * 3600.0, day.Totals.WindowSeconds);
        Assert.Equal(1.0, day.Totals.Coverage, 1e-12);
        Assert.Equal(expectedHours, result.HourlyUtc.Count);
    }

    [Fact]
    public void Vehicle_delay_uses_the_local_hour_and_day_type_of_the_profile()
    {
        // 2026-09-15 is a Tuesday; 06:00 UTC is 09:00 in Jerusalem (UTC+3 in summer).
        var profile = DemoProfile;
        var q = profile.VehiclesPerHour("northbound", DayOfWeek.Tuesday, 9);
        var samples = Enumerable.Range(0, 12).Select(i => new DelaySample(T0.AddMinutes(5 * i), 60, true)).ToList();

        var total = Integrator.Integrate(samples, T0, T0.AddHours(1), profile, "northbound").Total;

        // ∫ d/3600 · q dt over one hour = 60 s / 3600 · q veh/h · 1 h.
        Assert.Equal(60.0 / 3600 * q, total.VehicleDelayHours!.Value, 1e-9);
        Assert.Equal(60.0 * q, total.VehicleDelaySeconds!.Value, 1e-6);
        Assert.Null(total.VehicleDelayUnavailableReason);
    }

    [Fact]
    public void Without_a_volume_profile_vehicle_delay_is_unavailable_with_the_reason()
    {
        var samples = new[] { new DelaySample(T0, 60, true) };

        var total = Integrator.Integrate(samples, T0, T0.AddHours(1)).Total;

        Assert.Null(total.VehicleDelayHours);
        Assert.Null(total.VehicleDelaySeconds);
        Assert.Contains("no volume profile", total.VehicleDelayUnavailableReason);
        Assert.Equal(600 * 60, total.DelayIntegralSecondsSquared, 1e-9); // delay itself is still integrated
    }

    [Fact]
    public void A_profile_without_the_direction_makes_vehicle_delay_unavailable_not_zero()
    {
        var total = Integrator.Integrate([new DelaySample(T0, 60, true)], T0, T0.AddHours(1), DemoProfile, "eastbound").Total;

        Assert.Null(total.VehicleDelayHours);
        Assert.Contains("eastbound", total.VehicleDelayUnavailableReason);
    }

    [Fact]
    public void Summing_incremental_hour_contributions_equals_the_batch_hourly_result()
    {
        var span = TimeSpan.FromHours(30);
        var samples = Sample(TimeSpan.FromMinutes(5), span);
        // Irregular timing and a long outage, so holds are cut by the 600 s limit and by hour boundaries.
        samples = samples.Where((_, i) => i % 13 != 5 && (i < 100 || i > 130)).Select((s, i) => s with { AtUtc = s.AtUtc.AddSeconds(i % 4 * 17) }).ToList();
        var profile = DemoProfile;
        var end = T0 + span + TimeSpan.FromHours(1);

        var batch = Integrator.Integrate(samples, T0, end, profile, "southbound");
        var incremental = new Dictionary<DateTimeOffset, HourContribution>();
        for (var i = 0; i < samples.Count; i++)
        {
            var until = i + 1 < samples.Count ? samples[i + 1].AtUtc : end;
            foreach (var c in Integrator.Contributions(samples[i], until, profile, "southbound"))
                incremental[c.HourStartUtc] = incremental.TryGetValue(c.HourStartUtc, out var prev) ? prev.Plus(c) : c;
        }

        Assert.True(batch.Total.GapSeconds > 3 * 3600);
        foreach (var hour in batch.HourlyUtc)
        {
            if (!incremental.TryGetValue(hour.FromUtc, out var c))
            {
                Assert.Equal(0, hour.ObservedSeconds);
                continue;
            }
            Assert.Equal(hour.ObservedSeconds, c.ObservedSeconds, 1e-6);
            Assert.Equal(hour.DelayIntegralSecondsSquared, c.DelayIntegralSecondsSquared, 1e-6);
            Assert.Equal(hour.VehicleDelaySeconds!.Value, c.VehicleDelaySeconds!.Value, 1e-6);
            Assert.Equal(hour.CongestedSeconds, c.CongestedSeconds, 1e-6);
            Assert.Equal(hour.MinDelaySeconds, c.MinDelaySeconds);
            Assert.Equal(hour.MaxDelaySeconds, c.MaxDelaySeconds);
        }
        Assert.Equal(batch.Total.ObservedSeconds, incremental.Values.Sum(c => c.ObservedSeconds), 1e-6);
    }

    [Fact]
    public void An_open_hold_accounted_up_to_now_and_finished_later_adds_up_to_the_closed_hold()
    {
        var held = new DelaySample(T0.AddMinutes(57), 25, true);
        var now = T0.AddMinutes(59);
        var next = T0.AddMinutes(64);

        var sofar = Integrator.Contributions(held, now);
        var rest = Integrator.Contributions(held, now, next);
        var whole = Integrator.Contributions(held, next);

        Assert.Equal(120, sofar.Sum(c => c.ObservedSeconds), 1e-9);
        Assert.Equal(whole.Sum(c => c.ObservedSeconds), sofar.Concat(rest).Sum(c => c.ObservedSeconds), 1e-9);
        Assert.Equal(whole.Sum(c => c.DelayIntegralSecondsSquared), sofar.Concat(rest).Sum(c => c.DelayIntegralSecondsSquared), 1e-9);
        Assert.Equal(2, whole.Count); // 3 min before the hour, 4 min after
        Assert.Equal(T0.AddHours(1), whole[1].HourStartUtc);
    }

    [Theory]
    [InlineData(60, 60)]
    [InlineData(600, 600)]
    [InlineData(3600, 600)]
    public void An_incremental_hold_is_capped_at_600_seconds(int untilSeconds, double expectedObserved)
    {
        var contributions = Integrator.Contributions(new DelaySample(T0, 5, false), T0.AddSeconds(untilSeconds));

        Assert.Equal(expectedObserved, contributions.Sum(c => c.ObservedSeconds), 1e-9);
    }

    [Fact]
    public void An_invalid_sample_contributes_nothing()
    {
        Assert.Empty(Integrator.Contributions(new DelaySample(T0, null, false), T0.AddMinutes(5)));
    }

    [Fact]
    public void Observations_from_a_cycle_become_samples_with_no_value_unless_ok()
    {
        var cycle = Calculator.ComputeCycle(Matcher, Set("2026-09-15"), T0);

        Assert.True(DelaySample.From(cycle.Section(NorthLaGuardiaArlozorov)).IsValid);
        Assert.False(DelaySample.From(cycle.Section(NorthHolonLaGuardia)).IsValid);
        Assert.False(DelaySample.From(cycle.Direction("northbound")).IsValid);
    }

    internal static MemoryStream Json(string s) => new(Encoding.UTF8.GetBytes(s));
}
