namespace Ayalon.Core.Quota;

/// <summary>
/// Pacing spreads a period's allowance over the period, so a monthly plan lasts to the month's end instead of
/// running out on day 18 (a 5-minute collector asks 8,640 times in 30 days). With limit <c>N</c>, burst <c>B</c>
/// (≥ 1) and the elapsed fraction <c>f</c> of the period, the requests reserved so far may reach
/// <code>allowed(f) = min(N, B + floor((N − B + 1) · f))</code>
/// i.e. the even pace <c>N · f</c> plus a burst that starts at <c>B</c> and shrinks linearly to 1 request at the
/// period's end (<c>B + (N − B + 1)·f = N·f + B·(1 − f) + f</c>). Why this shape:
/// <list type="bullet">
/// <item>At <c>f = 0</c> the allowance is <c>B ≥ 1</c>: the first requests of a period are never refused.</item>
/// <item>A collector wanting more than the pace gets its <c>k</c>-th request once
/// <c>f ≥ (k − B) / (N − B + 1)</c>: one request every <c>period / (N − B + 1)</c>, and the <c>N</c>-th inside the
/// period's last such interval, so the allowance is used, not wasted. A flat burst (<c>N·f + B</c>) would run out
/// <c>B</c> intervals early: with 2,000 a month and B = 20 a 7-hour blackout at the end of every month.</item>
/// <item>A collector asking every <c>c</c> minutes is granted a request at least every <c>c</c> rounded up from
/// <c>period / (N − B + 1)</c> (each grant is at or after its threshold and the next threshold is one interval
/// later), so the burst lengthens no gap beyond that, and the interval exceeds the even pace <c>period / N</c> by a factor
/// <c>N / (N − B + 1)</c> only (about 1% with the default burst).</item>
/// <item>The burst lets a period start with a few back-to-back requests (a multi-request cycle, a retry) and leaves
/// room for a reservation of several requests at once; 1% of the limit keeps that small against the whole.</item>
/// </list>
/// Integer arithmetic (ticks, <see cref="Int128"/>) decides exactly; a double would let a steady collector drift
/// across a threshold by rounding.
/// </summary>
public static class QuotaPacing
{
    /// <summary>The default <c>Quota__PacingBurstPercent</c>.</summary>
    public const double DefaultBurstPercent = 1.0;

    /// <summary>The burst in requests: <paramref name="burstPercent"/> of the limit, rounded down, at least 1.</summary>
    public static int BurstRequests(int limit, double burstPercent)
    {
        if (limit <= 0 || double.IsNaN(burstPercent) || burstPercent <= 0) return 1;
        // decimal: 0.3% of 1,000 is 3, not the 2.9999… a double gives.
        var requests = Math.Floor((decimal)limit * (decimal)Math.Min(burstPercent, 100) / 100m);
        return (int)Math.Max(1m, requests);
    }

    /// <summary>The most requests that may be reserved in <paramref name="window"/> by <paramref name="now"/> (see the class remarks).</summary>
    public static int AllowedByNow(int limit, int burst, QuotaPeriodWindow window, DateTimeOffset now)
    {
        if (limit <= 0) return 0;
        var b = Math.Clamp(burst, 1, limit);
        var length = Length(window);
        var elapsed = Math.Clamp((now - window.StartUtc).Ticks, 0, length);
        var paced = (Int128)(limit - b + 1) * elapsed / length;
        return (int)Int128.Min(limit, b + paced);
    }

    /// <summary>
    /// The first instant at which <paramref name="reserved"/> + <paramref name="count"/> fits the pace, or null when
    /// it exceeds the limit (no instant in this period).
    /// </summary>
    public static DateTimeOffset? FitsFromUtc(int limit, int burst, QuotaPeriodWindow window, int reserved, int count)
    {
        var target = (long)reserved + count;
        if (limit <= 0 || target > limit) return null;
        var b = Math.Clamp(burst, 1, limit);
        if (target <= b) return window.StartUtc;
        // Smallest elapsed e with (target − B)·L ≤ (N − B + 1)·e: a ceiling division.
        var divisor = (Int128)(limit - b + 1);
        var elapsed = ((target - b) * (Int128)Length(window) + divisor - 1) / divisor;
        return window.StartUtc + TimeSpan.FromTicks((long)elapsed);
    }

    /// <summary>
    /// The use at the period's end if the period's average rate so far holds: <c>reserved / f</c>, never below what is
    /// reserved and never above the limit (the ledger refuses beyond it). At the limit with pacing off, the allowance
    /// runs out before the period ends; with pacing on, the provider wants more than the pace and will use all of it.
    /// </summary>
    public static int ProjectedAtPeriodEnd(int reserved, int limit, QuotaPeriodWindow window, DateTimeOffset now)
    {
        var length = Length(window);
        var elapsed = Math.Clamp((now - window.StartUtc).Ticks, 0, length);
        if (elapsed == 0 || reserved <= 0) return Math.Max(0, reserved);
        var extrapolated = (double)reserved * length / elapsed;
        return Math.Max(reserved, (int)Math.Min(Math.Max(0, limit), Math.Round(extrapolated, MidpointRounding.AwayFromZero)));
    }

    /// <summary>The even pace, one request every period length / limit; null for a limit of 0.</summary>
    public static double? PacedIntervalSeconds(int limit, QuotaPeriodWindow window) =>
        limit > 0 ? (window.EndUtc - window.StartUtc).TotalSeconds / limit : null;

    private static long Length(QuotaPeriodWindow window)
    {
        var length = (window.EndUtc - window.StartUtc).Ticks;
        if (length <= 0) throw new ArgumentException("a quota period must have a positive length", nameof(window));
        return length;
    }
}
