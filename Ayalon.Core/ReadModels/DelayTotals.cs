using Ayalon.Core.Impact;
using Ayalon.Core.Storage;

namespace Ayalon.Core.ReadModels;

/// <summary>
/// One series' step-hold totals over one bucket, summed from hourly rollups and/or hold contributions (both are
/// additive). Vehicle delay exists only with a volume profile.
/// </summary>
public sealed class DelayTotals(bool volumes)
{
    public double ObservedSeconds { get; private set; }
    public double DelayIntegralSecondsSquared { get; private set; }
    public double VehicleDelaySeconds { get; private set; }
    public double CongestedSeconds { get; private set; }
    public double? MaxDelaySeconds { get; private set; }

    public double? MeanDelaySeconds => ObservedSeconds > 0 ? DelayIntegralSecondsSquared / ObservedSeconds : null;

    public double? VehicleHours => volumes ? VehicleDelaySeconds / Units.SecondsPerHour : null;

    public void Add(SectionHour h) =>
        Add(h.ObservedSeconds, h.DelayIntegralSecondsSquared, h.VehicleDelaySeconds, h.CongestedSeconds, h.MaxDelaySeconds);

    public void Add(HourContribution c) =>
        Add(c.ObservedSeconds, c.DelayIntegralSecondsSquared, c.VehicleDelaySeconds, c.CongestedSeconds, c.MaxDelaySeconds);

    private void Add(double observed, double integral, double? vehicleDelay, double congested, double? max)
    {
        if (observed <= 0) return;
        ObservedSeconds += observed;
        DelayIntegralSecondsSquared += integral;
        VehicleDelaySeconds += vehicleDelay ?? 0;
        CongestedSeconds += congested;
        if (max is { } m) MaxDelaySeconds = MaxDelaySeconds is { } old ? Math.Max(old, m) : m;
    }
}

/// <summary>The numbers of one series over one bucket, as the API shows them (history points, today by direction).</summary>
public sealed record DelayFigures(
    double ObservedSeconds,
    double Coverage,
    double? MeanDelaySeconds,
    double? MaxDelaySeconds,
    double? CongestedSeconds,
    double? VehicleHours)
{
    /// <summary>A section's figures over a bucket of <paramref name="bucketSeconds"/>.</summary>
    public static DelayFigures ForSection(DelayTotals t, double bucketSeconds) => new(
        Round.Seconds(Math.Min(t.ObservedSeconds, bucketSeconds)),
        Round.Fraction(bucketSeconds > 0 ? Math.Min(1, t.ObservedSeconds / bucketSeconds) : 0),
        Round.Seconds(t.MeanDelaySeconds),
        Round.Seconds(t.MaxDelaySeconds),
        Round.Seconds(t.CongestedSeconds),
        Round.VehicleHours(t.VehicleHours));

    /// <summary>
    /// A direction from its sections' totals. Mean delay per vehicle = Σ of the sections' mean delays, and only when
    /// every section has observed time in the bucket (a sum of parts never stands in for the whole). Observed time
    /// is that of its least observed section. Vehicle-hours add up over sections (VH = Σ_s ∫ d·q dt). Max delay and
    /// congested time are not derivable from per-section rollups (sections peak at different moments): null.
    /// </summary>
    public static DelayFigures ForDirection(IReadOnlyList<DelayTotals> sections, double bucketSeconds)
    {
        var observed = sections.Count == 0 ? 0 : Math.Min(sections.Min(s => s.ObservedSeconds), bucketSeconds);
        double? mean = sections.Count > 0 && sections.All(s => s.ObservedSeconds > 0) ? sections.Sum(s => s.MeanDelaySeconds!.Value) : null;
        double? vh = sections.Count > 0 && sections[0].VehicleHours is not null ? sections.Sum(s => s.VehicleHours ?? 0) : null;
        return new DelayFigures(Round.Seconds(observed), Round.Fraction(bucketSeconds > 0 ? observed / bucketSeconds : 0),
            Round.Seconds(mean), null, null, Round.VehicleHours(vh));
    }
}

/// <summary>Output precision: milliseconds for seconds, 4 decimals for fractions and vehicle-hours.</summary>
public static class Round
{
    public static double Seconds(double v) => Math.Round(v, 3, MidpointRounding.AwayFromZero);
    public static double? Seconds(double? v) => v is { } x ? Seconds(x) : null;
    public static double Fraction(double v) => Math.Round(v, 4, MidpointRounding.AwayFromZero);
    public static double? VehicleHours(double? v) => v is { } x ? Math.Round(x, 4, MidpointRounding.AwayFromZero) : null;
    public static double Value(double v, int digits) => Math.Round(v, digits, MidpointRounding.AwayFromZero);
    public static double? Value(double? v, int digits) => v is { } x ? Value(x, digits) : null;
}
