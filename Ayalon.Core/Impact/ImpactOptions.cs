using Ayalon.Core.Corridor;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Impact;

/// <summary>Settings section <c>Impact</c>. Empty strings mean "not configured" (Bicep writes empty app settings).</summary>
public sealed class ImpactOptions
{
    public const string SectionName = "Impact";

    /// <summary>A constants file other than the shipped v1 (methodology experiments); empty = the shipped file.</summary>
    public string? ConstantsFile { get; set; }

    /// <summary>A documented volume profile. Production ships none: without it vehicle-hours are unavailable.</summary>
    public string? VolumeProfileFile { get; set; }

    /// <summary>Overrides the shipped monthly table for every month (with its own source and month) when set.</summary>
    public string? FuelPriceIlsPerLitre { get; set; }
    public string? FuelPriceSource { get; set; }
    public string? FuelPriceMonth { get; set; }
}

/// <summary>
/// The methodology's loaded inputs, validated once at start: constants, the optional volume profile, the fuel
/// price table and its optional override, and the matcher built for the corridor. A bad file fails the start with a message naming it.
/// </summary>
public sealed class ImpactSettings
{
    public ImpactSettings(IOptions<ImpactOptions> options, CorridorDefinition corridor)
    {
        var o = options.Value;
        Constants = string.IsNullOrWhiteSpace(o.ConstantsFile) ? ImpactConstants.Default : ImpactConstants.LoadFile(o.ConstantsFile);
        VolumeProfile = string.IsNullOrWhiteSpace(o.VolumeProfileFile) ? null : VolumeProfile.LoadFile(ResolvePath(o.VolumeProfileFile));
        if (!string.IsNullOrWhiteSpace(o.FuelPriceIlsPerLitre))
        {
            if (!double.TryParse(o.FuelPriceIlsPerLitre, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var price))
                throw new ImpactConfigurationException($"Impact:FuelPriceIlsPerLitre '{o.FuelPriceIlsPerLitre}' is not a number.");
            FuelPrice = FuelPrice.Create(price, o.FuelPriceSource ?? "", o.FuelPriceMonth ?? "", Constants);
        }
        FuelPrices = FuelPriceTable.LoadDefault(Constants);
        Matcher = new CorridorMatcher(corridor, MatchingParameters.From(Constants));
        Calculator = new ImpactCalculator(Constants);
        Integrator = new StepHoldIntegrator(Constants);
    }

    public ImpactConstants Constants { get; }
    public VolumeProfile? VolumeProfile { get; }
    /// <summary>The override from settings (Impact:FuelPrice*), when configured.</summary>
    public FuelPrice? FuelPrice { get; }

    public FuelPriceTable FuelPrices { get; }

    /// <summary>
    /// The price for the hours of one local month: the setting when configured, else the table's entry for the month,
    /// else its latest earlier entry (the use then names that month); null before the table's first month.
    /// </summary>
    public FuelPriceUse? FuelPriceFor(DateOnly localDate)
    {
        var month = FuelPriceUse.MonthOf(localDate);
        if (FuelPrice is { } configured) return new FuelPriceUse(configured, month, FuelPriceUse.FromSetting);
        return FuelPrices.For(month) is { } listed ? new FuelPriceUse(listed, month, FuelPriceUse.FromTable) : null;
    }
    public CorridorMatcher Matcher { get; }
    public ImpactCalculator Calculator { get; }
    public StepHoldIntegrator Integrator { get; }

    public string? VehicleHoursUnavailableReason => VolumeProfile is null
        ? "no traffic volume profile is configured (Impact:VolumeProfileFile): vehicle counts are never derived from speed"
        : null;

    /// <summary>Relative paths are tried beside the app first (shipped files), then as given.</summary>
    private static string ResolvePath(string path)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, path);
        return !Path.IsPathRooted(path) && File.Exists(beside) ? beside : path;
    }
}
