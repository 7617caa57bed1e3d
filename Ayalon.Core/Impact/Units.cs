namespace Ayalon.Core.Impact;

/// <summary>Unit conversions (definitions, not tunable constants: those live in the constants file).</summary>
public static class Units
{
    public const double SecondsPerHour = 3600.0;

    /// <summary>1 km/h = 1000 m / 3600 s.</summary>
    public const double KmhPerMeterPerSecond = 3.6;

    public static double KmhToMetersPerSecond(double kmh) => kmh / KmhPerMeterPerSecond;

    public static double MetersPerSecondToKmh(double metersPerSecond) => metersPerSecond * KmhPerMeterPerSecond;
}
