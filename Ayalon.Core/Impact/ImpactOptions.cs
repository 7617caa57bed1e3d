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
        Constants = Setting(nameof(o.ConstantsFile), () =>
            string.IsNullOrWhiteSpace(o.ConstantsFile) ? ImpactConstants.Default : ImpactConstants.LoadFile(o.ConstantsFile));
        VolumeProfile = Setting(nameof(o.VolumeProfileFile), () =>
            string.IsNullOrWhiteSpace(o.VolumeProfileFile) ? null : VolumeProfile.LoadFile(ResolvePath(o.VolumeProfileFile)));
        if (!string.IsNullOrWhiteSpace(o.FuelPriceIlsPerLitre))
        {
            if (!double.TryParse(o.FuelPriceIlsPerLitre, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var price))
                throw new ImpactConfigurationException($"Impact:FuelPriceIlsPerLitre '{o.FuelPriceIlsPerLitre}' is not a number.");
            var constants = Constants;
            FuelPrice = Setting("FuelPriceIlsPerLitre, Impact:FuelPriceSource, Impact:FuelPriceMonth", () =>
                FuelPrice.Create(price, o.FuelPriceSource ?? "", o.FuelPriceMonth ?? "", constants));
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

    /// <summary>A load failure names the setting it came from, so the operator knows which app setting to fix.</summary>
    private static T Setting<T>(string name, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (ImpactConfigurationException ex)
        {
            throw new ImpactConfigurationException($"{ImpactOptions.SectionName}:{name}: {ex.Message}");
        }
    }

    /// <summary>Relative paths are tried beside the app first (shipped files), then as given.</summary>
    private static string ResolvePath(string path)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, path);
        return !Path.IsPathRooted(path) && File.Exists(beside) ? beside : path;
    }
}

/// <summary>
/// Stops the host at start when an <c>Impact</c> setting cannot be used (a missing or malformed constants file or volume
/// profile, a fuel price that is not a number or out of the constants' range), by loading them as the app will.
/// </summary>
public sealed class ImpactOptionsValidator(CorridorDefinition corridor) : IValidateOptions<ImpactOptions>
{
    public ValidateOptionsResult Validate(string? name, ImpactOptions options)
    {
        try
        {
            _ = new ImpactSettings(Options.Create(options), corridor);
            return ValidateOptionsResult.Success;
        }
        catch (ImpactConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
