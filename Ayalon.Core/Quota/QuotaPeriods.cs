using System.Globalization;

namespace Ayalon.Core.Quota;

/// <summary>One budget period: its ledger row key and its UTC bounds (start inclusive, end exclusive).</summary>
public readonly record struct QuotaPeriodWindow(string Key, DateTimeOffset StartUtc, DateTimeOffset EndUtc);

/// <summary>
/// Ledger period keys. Periods are UTC calendar days ("day-2026-11-27") or UTC calendar months ("month-2026-11"):
/// TomTom counts its free tier per UTC day (older plans) or per calendar month (current pricing).
/// </summary>
public static class QuotaPeriods
{
    public static QuotaPeriodWindow For(QuotaPeriod period, DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        switch (period)
        {
            case QuotaPeriod.Day:
            {
                var start = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
                return new QuotaPeriodWindow("day-" + start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), start, start.AddDays(1));
            }
            case QuotaPeriod.Month:
            {
                var start = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
                return new QuotaPeriodWindow("month-" + start.ToString("yyyy-MM", CultureInfo.InvariantCulture), start, start.AddMonths(1));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(period), period, "unknown quota period");
        }
    }
}
