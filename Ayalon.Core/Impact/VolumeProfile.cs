using System.Text.Json;

namespace Ayalon.Core.Impact;

/// <summary>
/// Hourly traffic volumes q (vehicles per hour) per direction, for weekdays and weekend days in local time, with
/// the source and citation they came from. No connected data source measures volume, so vehicle-hours exist only
/// when an operator configures a documented profile (docs/METHODOLOGY.md §5). Counts are never derived from speed.
/// </summary>
public sealed class VolumeProfile
{
    public const int HoursPerDay = 24;

    private readonly Dictionary<string, (double[] Weekday, double[] Weekend)> _volumes;
    private readonly bool[] _isWeekend = new bool[7];

    private VolumeProfile(string source, string citation, bool synthetic, TimeZoneInfo timeZone,
        IReadOnlyList<DayOfWeek> weekendDays, Dictionary<string, (double[] Weekday, double[] Weekend)> volumes)
    {
        Source = source;
        Citation = citation;
        IsSynthetic = synthetic;
        TimeZone = timeZone;
        WeekendDays = weekendDays;
        foreach (var d in weekendDays) _isWeekend[(int)d] = true;
        _volumes = volumes;
    }

    /// <summary>Where the numbers come from (shown wherever a derived number appears).</summary>
    public string Source { get; }

    public string Citation { get; }

    /// <summary>True for a demo profile: every number derived from it must say "not measured".</summary>
    public bool IsSynthetic { get; }

    public TimeZoneInfo TimeZone { get; }

    public IReadOnlyList<DayOfWeek> WeekendDays { get; }

    public IReadOnlyCollection<string> Directions => _volumes.Keys;

    public bool HasDirection(string direction) => _volumes.ContainsKey(direction);

    /// <summary>The hourly value for <paramref name="direction"/> at an instant (local hour, local day type).</summary>
    public double VehiclesPerHour(string direction, DateTimeOffset atUtc)
    {
        var local = LocalTime.WallClock(atUtc, TimeZone);
        return VehiclesPerHour(direction, local.DayOfWeek, local.Hour);
    }

    /// <summary>The hourly value for a local day of week and local hour (0–23).</summary>
    public double VehiclesPerHour(string direction, DayOfWeek localDay, int localHour)
    {
        if (!_volumes.TryGetValue(direction, out var v))
            throw new ArgumentException($"The volume profile has no values for direction '{direction}'.", nameof(direction));
        return (_isWeekend[(int)localDay] ? v.Weekend : v.Weekday)[localHour];
    }

    public static VolumeProfile LoadFile(string path)
    {
        if (!File.Exists(path)) throw new ImpactConfigurationException($"Volume profile '{path}' does not exist.");
        using var stream = File.OpenRead(path);
        return Load(stream, Path.GetFileName(path));
    }

    public static VolumeProfile Load(Stream json, string sourceName)
    {
        var where = $"Volume profile '{sourceName}'";
        using (var doc = ImpactConfigurationException.ParseJson(json, where))
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ImpactConfigurationException($"{where}: the root must be an object.");
            var source = NonEmpty(root, "source", where);
            var citation = NonEmpty(root, "citation", where);
            var synthetic = root.TryGetProperty("synthetic", out var syn) && syn.ValueKind == JsonValueKind.True;
            var zoneId = NonEmpty(root, "timeZone", where);
            TimeZoneInfo zone;
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw new ImpactConfigurationException($"{where}: 'timeZone' '{zoneId}' is not a known time zone.");
            }

            if (!root.TryGetProperty("weekendDays", out var wd) || wd.ValueKind != JsonValueKind.Array)
                throw new ImpactConfigurationException($"{where}: 'weekendDays' must be an array of day names (e.g. [\"Friday\", \"Saturday\"]).");
            var weekend = new List<DayOfWeek>();
            foreach (var d in wd.EnumerateArray())
            {
                if (d.ValueKind != JsonValueKind.String || !Enum.TryParse<DayOfWeek>(d.GetString(), ignoreCase: true, out var day) ||
                    !Enum.IsDefined(day) || int.TryParse(d.GetString(), out _))
                    throw new ImpactConfigurationException($"{where}: 'weekendDays' holds '{d}', which is not a day name.");
                weekend.Add(day);
            }

            if (!root.TryGetProperty("directions", out var dirs) || dirs.ValueKind != JsonValueKind.Object)
                throw new ImpactConfigurationException($"{where}: 'directions' must be an object keyed by direction.");
            var volumes = new Dictionary<string, (double[], double[])>(StringComparer.Ordinal);
            foreach (var dir in dirs.EnumerateObject())
            {
                if (dir.Value.ValueKind != JsonValueKind.Object)
                    throw new ImpactConfigurationException($"{where}: 'directions.{dir.Name}' must be an object with 'weekday' and 'weekend'.");
                volumes[dir.Name] = (Hours(dir.Value, "weekday", $"{where}: 'directions.{dir.Name}.weekday'"),
                    Hours(dir.Value, "weekend", $"{where}: 'directions.{dir.Name}.weekend'"));
            }
            if (volumes.Count == 0) throw new ImpactConfigurationException($"{where}: 'directions' is empty.");

            return new VolumeProfile(source, citation, synthetic, zone, weekend, volumes);
        }
    }

    private static double[] Hours(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var arr) || arr.ValueKind != JsonValueKind.Array)
            throw new ImpactConfigurationException($"{where} is missing (24 hourly values, vehicles per hour).");
        if (arr.GetArrayLength() != HoursPerDay)
            throw new ImpactConfigurationException($"{where} has {arr.GetArrayLength()} values; 24 are needed (local hours 0–23).");
        var values = new double[HoursPerDay];
        var i = 0;
        foreach (var v in arr.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var q) || !double.IsFinite(q))
                throw new ImpactConfigurationException($"{where}[{i}] is not a number.");
            if (q < 0)
                throw new ImpactConfigurationException(FormattableString.Invariant($"{where}[{i}] is negative ({q})."));
            values[i++] = q;
        }
        return values;
    }

    private static string NonEmpty(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
            throw new ImpactConfigurationException($"{where}: '{name}' is missing or empty.");
        return v.GetString()!;
    }
}
