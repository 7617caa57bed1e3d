using System.ComponentModel.DataAnnotations;

namespace Ayalon.Core.Quota;

public enum QuotaPeriod
{
    Day,
    Month,
}

/// <summary>Settings section <c>Quota</c>: the provider request budget kept in Table Storage.</summary>
public sealed class QuotaOptions
{
    public const string SectionName = "Quota";

    [Range(0, 10_000_000)]
    public int Limit { get; set; } = 2500;

    /// <summary>UTC day (default) or UTC calendar month (TomTom's free tier is now monthly).</summary>
    public QuotaPeriod Period { get; set; } = QuotaPeriod.Day;

    [Range(1, 100)]
    public int AlertThresholdPercent { get; set; } = 90;
}
