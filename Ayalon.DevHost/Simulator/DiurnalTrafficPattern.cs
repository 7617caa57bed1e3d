using System.Text;

namespace Ayalon.DevHost.Simulator;

/// <summary>Speeds of one carriageway at one moment, integers in km/h as TomTom sends them.</summary>
public readonly record struct TrafficSpeeds(int CurrentSpeedKmh, int FreeFlowSpeedKmh);

/// <summary>
/// A synthetic, deterministic congestion pattern per direction in Tel Aviv local time (Asia/Jerusalem):
/// weekday (Sun–Thu) peaks around 07:00–10:00, heavier northbound (into the city), and 16:00–19:00, heavier
/// southbound; a lighter Friday midday and Saturday evening; free flow at night. The same seed, direction and
/// time always give the same speeds; speeds are constant within clock-aligned steps.
/// Shapes and depths are plausible, not measured: this feeds the local run and the tests, never a real number.
/// </summary>
public sealed class DiurnalTrafficPattern
{
    public const string TimeZoneId = "Asia/Jerusalem";

    /// <summary>Below this load the road runs at free flow exactly (no noise), so nights give zero delay.</summary>
    private const double FreeFlowLoadThreshold = 0.03;

    private readonly int _seed;
    private readonly TimeSpan _step;
    private readonly TimeZoneInfo _zone;

    public DiurnalTrafficPattern(int seed, int stepMinutes = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepMinutes, 1);
        _seed = seed;
        _step = TimeSpan.FromMinutes(stepMinutes);
        _zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);
    }

    /// <summary>The start of the step holding <paramref name="utc"/>: every instant of a step gets the same speeds.</summary>
    public DateTimeOffset StepStart(DateTimeOffset utc)
    {
        var ticks = utc.UtcTicks - utc.UtcTicks % _step.Ticks;
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    public TrafficSpeeds At(string direction, DateTimeOffset utc)
    {
        var freeFlow = FreeFlowSpeedKmh(direction);
        var step = StepStart(utc);
        var load = Load(direction, TimeZoneInfo.ConvertTime(step, _zone));
        if (load < FreeFlowLoadThreshold) return new TrafficSpeeds(freeFlow, freeFlow);

        // ±15% of the load, fixed per (seed, direction, step): traffic that wobbles without being random per call.
        var noise = (Unit(Hash(_seed, direction, "noise", step.UtcTicks / _step.Ticks)) - 0.5) * 0.3;
        load = Math.Clamp(load * (1 + noise), 0, 0.85);
        var current = (int)Math.Round(freeFlow * (1 - load), MidpointRounding.AwayFromZero);
        return new TrafficSpeeds(Math.Clamp(current, 5, freeFlow), freeFlow);
    }

    /// <summary>
    /// A number in [0, 1) fixed per (seed, direction, index, step): how congestion varies along a carriageway within
    /// one step (the HERE surface spreads the carriageway's delay over its subSegments with it).
    /// </summary>
    public double AlongRoad(string direction, int index, DateTimeOffset utc) =>
        Unit(Hash(_seed, direction, "along-" + index.ToString(System.Globalization.CultureInfo.InvariantCulture), StepStart(utc).UtcTicks / _step.Ticks));

    /// <summary>Free-flow speed of a carriageway: 90–100 km/h, fixed for a seed (TomTom's free flow is per segment).</summary>
    public int FreeFlowSpeedKmh(string direction) => 90 + (int)(Hash(_seed, direction, "free-flow", 0) % 11);

    /// <summary>Fraction of free-flow speed lost, before noise, at a local time.</summary>
    internal static double Load(string direction, DateTimeOffset local)
    {
        var h = local.TimeOfDay.TotalHours;
        var inbound = direction.StartsWith("north", StringComparison.OrdinalIgnoreCase);
        var outbound = direction.StartsWith("south", StringComparison.OrdinalIgnoreCase);
        double morning = inbound ? 0.60 : outbound ? 0.35 : 0.45;
        double evening = outbound ? 0.60 : inbound ? 0.35 : 0.45;
        return local.DayOfWeek switch
        {
            // Israel's weekend is Friday and Saturday.
            DayOfWeek.Friday => 0.30 * Bump(h, 12.0, 2.0),
            DayOfWeek.Saturday => 0.20 * Bump(h, 19.5, 1.8),
            _ => morning * Bump(h, 8.5, 1.1) + evening * Bump(h, 17.5, 1.2) + 0.12 * Bump(h, 13.0, 2.0),
        };
    }

    private static double Bump(double hour, double centre, double width)
    {
        var z = (hour - centre) / width;
        return Math.Exp(-0.5 * z * z);
    }

    private static double Unit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));

    /// <summary>FNV-1a then a SplitMix64 finaliser: stable across processes, unlike string.GetHashCode.</summary>
    private static ulong Hash(int seed, string direction, string purpose, long step)
    {
        var h = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes($"{seed}|{direction}|{purpose}|{step}"))
        {
            h = (h ^ b) * 1099511628211UL;
        }
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }
}
