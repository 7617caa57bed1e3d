using Ayalon.Core.Quota;

namespace Ayalon.Tests.Quota;

/// <summary>The pacing rule as a pure function (no I/O): exact thresholds, and a whole month of a steady collector.</summary>
[Trait("Category", "Unit")]
public sealed class QuotaPacingTests
{
    private static readonly QuotaPeriodWindow November = QuotaPeriods.For(QuotaPeriod.Month, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    private static DateTimeOffset At(double minutes) => November.StartUtc.AddMinutes(minutes);

    [Theory]
    // limit 2000, burst 20, November (43,200 min): allowed = 20 + floor(1981 · minutes / 43200)
    [InlineData(0, 20)]              // the period's first instant: the burst
    [InlineData(21.80, 20)]          // one paced step is 43200/1981 = 21.807 min …
    [InlineData(21.81, 21)]          // … and not before
    [InlineData(21600, 1010)]        // half-way: 20 + 990
    [InlineData(43178.19, 1999)]
    [InlineData(43178.20, 2000)]     // the last request comes inside the period's last paced step: nothing is wasted
    [InlineData(43199.99, 2000)]
    [InlineData(50000, 2000)]        // past the end: the limit, never more
    [InlineData(-5, 20)]
    public void Allowed_by_now_is_the_burst_plus_the_pace_and_reaches_the_limit_inside_the_period(double minutes, int expected) =>
        Assert.Equal(expected, QuotaPacing.AllowedByNow(2000, 20, November, At(minutes)));

    [Theory]
    [InlineData(0, 1, 0.0)]         // within the burst: at once
    [InlineData(19, 1, 0.0)]
    [InlineData(20, 1, 43200.0 / 1981)]
    [InlineData(1009, 1, 43200.0 * 990 / 1981)]
    [InlineData(1000, 10, 43200.0 * 990 / 1981)]
    public void Fits_from_is_the_first_instant_the_pace_allows_the_reservation(int reserved, int count, double expectedMinutes)
    {
        var from = QuotaPacing.FitsFromUtc(2000, 20, November, reserved, count)!.Value;

        var expected = November.StartUtc.UtcTicks + (long)Math.Round(expectedMinutes * TimeSpan.TicksPerMinute);
        Assert.InRange(from.UtcTicks, expected - 1, expected + 1); // the exact threshold, to the tick
        Assert.True(QuotaPacing.AllowedByNow(2000, 20, November, from) >= reserved + count);
        Assert.True(from == November.StartUtc || QuotaPacing.AllowedByNow(2000, 20, November, from.AddTicks(-1)) < reserved + count);
    }

    [Fact]
    public void Nothing_fits_beyond_the_limit() =>
        Assert.Null(QuotaPacing.FitsFromUtc(2000, 20, November, 1999, 2));

    [Theory]
    [InlineData(1, 1, 0, 1)]     // a limit of one: the one request is there from the start
    [InlineData(0, 1, 0, 0)]     // a limit of zero allows nothing
    [InlineData(10, 50, 0, 10)]  // a burst above the limit is the limit
    public void Tiny_limits_are_served_from_the_start(int limit, int burst, double minutes, int expected) =>
        Assert.Equal(expected, QuotaPacing.AllowedByNow(limit, burst, November, At(minutes)));

    [Theory]
    [InlineData(0, 0, 0)]            // nothing elapsed: what is used
    [InlineData(100, 4320, 1000)]    // a tenth of the month, 100 used: 1,000 at this rate
    [InlineData(300, 4320, 2000)]    // 3,000 at this rate: capped at the limit (the ledger refuses beyond it)
    [InlineData(2100, 43200, 2100)]  // never below what is used (a limit lowered mid-period)
    [InlineData(5, 0, 5)]
    public void Projection_extrapolates_the_rate_so_far_capped_at_the_limit(int reserved, double minutes, int expected) =>
        Assert.Equal(expected, QuotaPacing.ProjectedAtPeriodEnd(reserved, 2000, November, At(minutes)));

    [Fact]
    public void A_steady_collector_is_paced_over_the_whole_month_and_uses_the_allowance()
    {
        // One attempt every 5 minutes through November 2026 (30 days, 8,640 attempts), limit 2,000, burst 1%.
        const int limit = 2000;
        var burst = QuotaPacing.BurstRequests(limit, QuotaPacing.DefaultBurstPercent);
        var cadence = TimeSpan.FromMinutes(5);
        var reserved = 0;
        var grants = new List<DateTimeOffset>();
        for (var t = November.StartUtc; t < November.EndUtc; t += cadence)
        {
            if (reserved + 1 <= QuotaPacing.AllowedByNow(limit, burst, November, t))
            {
                reserved++;
                grants.Add(t);
            }
        }

        // Bound: each grant comes at the first attempt at or after its threshold, thresholds are one paced step
        // (period / (limit − burst + 1) = 21.8 min) apart, so no gap exceeds that step rounded up to the cadence.
        var step = (November.EndUtc - November.StartUtc) / (limit - burst + 1);
        var bound = TimeSpan.FromTicks((step.Ticks + cadence.Ticks - 1) / cadence.Ticks * cadence.Ticks);
        var gaps = grants.Zip(grants.Skip(1), (a, b) => b - a).ToList();
        Assert.Equal(TimeSpan.FromMinutes(25), bound);
        Assert.Equal(limit, grants.Count);
        Assert.Equal(November.StartUtc, grants[0]);
        Assert.True(gaps.Max() <= bound, $"longest gap {gaps.Max()}");
        Assert.True(November.EndUtc - grants[^1] <= bound, $"last grant {grants[^1]:O}");
        // The burst is spent at the start, back to back, then the pace holds.
        Assert.All(gaps.Take(burst - 1), g => Assert.Equal(cadence, g));
    }
}
