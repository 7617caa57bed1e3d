using System.Globalization;
using System.Text.Json;

namespace Ayalon.Core.Impact;

/// <summary>
/// Every methodology constant, read from one versioned JSON file (<c>Impact/impact-constants.v1.json</c>, also
/// embedded in the assembly so a library user never runs without it). No other code holds these numbers.
/// </summary>
public sealed record ImpactConstants
{
    /// <summary>The embedded default file's resource name.</summary>
    public const string DefaultResourceName = "Ayalon.Core.Impact.impact-constants.v1.json";

    /// <summary>Version of the formulas (docs/METHODOLOGY.md). Carried by every output.</summary>
    public required string MethodologyVersion { get; init; }

    /// <summary>Version of the numbers in this file. Carried by every output.</summary>
    public required string ConstantsVersion { get; init; }

    /// <summary>Length of one matching bin along a section.</summary>
    public required double BinLengthMeters { get; init; }

    /// <summary>A piece must pass within this distance of a bin centre to give it a speed.</summary>
    public required double MatchDistanceMeters { get; init; }

    /// <summary>Largest allowed difference between a piece's local bearing and the bin's bearing.</summary>
    public required double BearingToleranceDeg { get; init; }

    /// <summary>Pieces with a lower provider confidence are dropped (and counted), never substituted.</summary>
    public required double ConfidenceFloor { get; init; }

    /// <summary>Below this fraction of matched bins a section yields no value (<c>insufficient_coverage</c>).</summary>
    public required double CoverageThreshold { get; init; }

    /// <summary>A section is congested when delay / free-flow time exceeds this.</summary>
    public required double CongestionThreshold { get; init; }

    /// <summary>Delay over free-flow time above which the dashboard calls a section heavily congested (display only).</summary>
    public required double HeavyCongestionThreshold { get; init; }

    /// <summary>Longest time one observation is held in time integrals; beyond it is a gap.</summary>
    public required double MaxHoldSeconds { get; init; }

    /// <summary>IANA zone for local days (rollups "today", daily buckets).</summary>
    public required string LocalTimeZoneId { get; init; }

    public required double IdleFuelLitresPerHour { get; init; }
    public required double ExcessFuelFactor { get; init; }
    public required double Co2KgPerLitre { get; init; }
    public required double FuelPriceMinIlsPerLitre { get; init; }
    public required double FuelPriceMaxIlsPerLitre { get; init; }
    public required double ValueOfTimeIlsPerHour { get; init; }

    /// <summary>The zone named by <see cref="LocalTimeZoneId"/> (validated at load).</summary>
    public TimeZoneInfo LocalTimeZone => TimeZoneInfo.FindSystemTimeZoneById(LocalTimeZoneId);

    private static readonly Lazy<ImpactConstants> Embedded = new(() =>
    {
        using var stream = typeof(ImpactConstants).Assembly.GetManifestResourceStream(DefaultResourceName)
                           ?? throw new InvalidOperationException($"Embedded resource '{DefaultResourceName}' is missing.");
        return Load(stream, "impact-constants.v1.json (embedded)");
    });

    /// <summary>The shipped constants (version 1), parsed once.</summary>
    public static ImpactConstants Default => Embedded.Value;

    public static ImpactConstants LoadFile(string path)
    {
        if (!File.Exists(path)) throw new ImpactConfigurationException($"Constants file '{path}' does not exist.");
        using var stream = File.OpenRead(path);
        return Load(stream, Path.GetFileName(path));
    }

    public static ImpactConstants Load(Stream json, string sourceName)
    {
        using (var doc = ImpactConfigurationException.ParseJson(json, $"Constants file '{sourceName}'"))
        {
            var r = new JsonReader(doc.RootElement, $"Constants file '{sourceName}'");
            var c = new ImpactConstants
            {
                MethodologyVersion = r.String("methodologyVersion"),
                ConstantsVersion = r.String("constantsVersion"),
                BinLengthMeters = r.Positive("matching", "binLengthMeters"),
                MatchDistanceMeters = r.Positive("matching", "matchDistanceMeters"),
                BearingToleranceDeg = r.InRange("matching", "bearingToleranceDeg", 0, 90),
                ConfidenceFloor = r.InRange("matching", "confidenceFloor", 0, 1),
                CoverageThreshold = r.InRange("thresholds", "coverageThreshold", 0, 1),
                CongestionThreshold = r.Positive("thresholds", "congestionThreshold"),
                HeavyCongestionThreshold = r.Positive("thresholds", "heavyCongestionThreshold"),
                MaxHoldSeconds = r.Positive("integration", "maxHoldSeconds"),
                LocalTimeZoneId = r.String("integration", "localTimeZone"),
                IdleFuelLitresPerHour = r.Positive("fuel", "idleFuelLitresPerHour"),
                ExcessFuelFactor = r.Positive("fuel", "excessFuelFactor"),
                Co2KgPerLitre = r.Positive("fuel", "co2KgPerLitre"),
                FuelPriceMinIlsPerLitre = r.Positive("fuel", "fuelPriceMinIlsPerLitre"),
                FuelPriceMaxIlsPerLitre = r.Positive("fuel", "fuelPriceMaxIlsPerLitre"),
                ValueOfTimeIlsPerHour = r.Positive("valueOfTimeIlsPerHour"),
            };
            if (c.FuelPriceMinIlsPerLitre >= c.FuelPriceMaxIlsPerLitre)
                throw new ImpactConfigurationException($"Constants file '{sourceName}': fuelPriceMinIlsPerLitre must be below fuelPriceMaxIlsPerLitre.");
            if (c.HeavyCongestionThreshold <= c.CongestionThreshold)
                throw new ImpactConfigurationException($"Constants file '{sourceName}': heavyCongestionThreshold must be above congestionThreshold.");
            if (c.MatchDistanceMeters < c.BinLengthMeters / 2)
                throw new ImpactConfigurationException($"Constants file '{sourceName}': matchDistanceMeters must be at least half a bin.");
            try
            {
                _ = TimeZoneInfo.FindSystemTimeZoneById(c.LocalTimeZoneId);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw new ImpactConfigurationException($"Constants file '{sourceName}': time zone '{c.LocalTimeZoneId}' is not known on this machine.");
            }
            return c;
        }
    }

    /// <summary>Small helper so every validation message names the file and the JSON path.</summary>
    private readonly struct JsonReader(JsonElement root, string where)
    {
        public string String(params string[] path)
        {
            var e = Get(path);
            if (e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString()))
                throw Fail(path, "must be a non-empty string");
            return e.GetString()!;
        }

        public double Positive(params string[] path)
        {
            var v = Number(path);
            if (!(v > 0)) throw Fail(path, "must be positive");
            return v;
        }

        public double InRange(string group, string name, double min, double max)
        {
            var v = Number(group, name);
            if (v < min || v > max)
                throw Fail([group, name], string.Create(CultureInfo.InvariantCulture, $"must be within [{min}, {max}]"));
            return v;
        }

        private double Number(params string[] path)
        {
            var e = Get(path);
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out var v) || !double.IsFinite(v))
                throw Fail(path, "must be a number");
            return v;
        }

        private JsonElement Get(string[] path)
        {
            var e = root;
            foreach (var p in path)
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
                    throw Fail(path, "is missing");
            }
            return e;
        }

        private ImpactConfigurationException Fail(string[] path, string problem) =>
            new($"{where}: '{string.Join('.', path)}' {problem}.");
    }
}

/// <summary>A constants file, volume profile or fuel price that fails validation.</summary>
public sealed class ImpactConfigurationException(string message) : Exception(message)
{
    /// <summary>Parses one of the methodology's JSON files, or refuses it naming the file (<paramref name="where"/>).</summary>
    public static JsonDocument ParseJson(Stream json, string where)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ImpactConfigurationException($"{where} is not valid JSON: {ex.Message}");
        }
    }
}
