using System.Globalization;

namespace Ayalon.Core.Impact;

/// <summary>
/// A fuel price with its provenance; valid only inside the constants file's range. <see cref="Secondary"/>: the figure
/// comes from a secondary aggregator, not the Ministry's notice or a news report of it.
/// </summary>
public sealed record FuelPrice(double IlsPerLitre, string Source, string Month)
{
    public bool Secondary { get; init; }

    /// <summary>Validate a configured price. Month is "yyyy-MM" (the month the price applies to).</summary>
    public static FuelPrice Create(double ilsPerLitre, string source, string month, ImpactConstants constants)
    {
        ArgumentNullException.ThrowIfNull(constants);
        if (!double.IsFinite(ilsPerLitre) || ilsPerLitre < constants.FuelPriceMinIlsPerLitre || ilsPerLitre > constants.FuelPriceMaxIlsPerLitre)
            throw new ImpactConfigurationException(string.Create(CultureInfo.InvariantCulture,
                $"Fuel price {ilsPerLitre} ₪/L is outside the valid range {constants.FuelPriceMinIlsPerLitre}–{constants.FuelPriceMaxIlsPerLitre} ₪/L."));
        if (string.IsNullOrWhiteSpace(source))
            throw new ImpactConfigurationException("Fuel price needs its source.");
        if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            throw new ImpactConfigurationException($"Fuel price month '{month}' is not yyyy-MM.");
        return new FuelPrice(ilsPerLitre, source, month);
    }
}

/// <summary>
/// Physical and monetary consequences of a vehicle-hour total (docs/METHODOLOGY.md §5): excess fuel, CO2, fuel cost, time
/// value. When vehicle-hours are unavailable (no volume profile) everything here is unavailable with the reason.
/// </summary>
public sealed record PhysicalImpact(
    bool Available,
    string? UnavailableReason,
    double? VehicleHours,
    double? FuelLitres,
    double? Co2Kg,
    double? FuelCostIls,
    string? FuelCostUnavailableReason,
    double? TimeValueIls,
    string? VolumeSource,
    bool VolumeIsSynthetic,
    FuelPrice? FuelPrice,
    string MethodologyVersion,
    string ConstantsVersion)
{
    /// <summary>The label every number derived from a synthetic profile carries.</summary>
    public const string SyntheticLabel = "synthetic demo profile — not measured";

    /// <summary>
    /// From vehicle-hours: fuel L = VH × idle L/h × excess factor; CO2 kg = fuel × kg/L; fuel cost ₪ = fuel × price;
    /// time value ₪ = VH × ₪/h.
    /// </summary>
    /// <param name="vehicleHours">Null when unavailable; then <paramref name="unavailableReason"/> says why.</param>
    public static PhysicalImpact From(double? vehicleHours, string? unavailableReason, ImpactConstants constants,
        FuelPrice? fuelPrice = null, VolumeProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(constants);
        if (vehicleHours is not { } vh)
        {
            return new PhysicalImpact(false, unavailableReason ?? "vehicle-hours are unavailable", null, null, null, null,
                null, null, profile?.Source, profile?.IsSynthetic ?? false, fuelPrice, constants.MethodologyVersion, constants.ConstantsVersion);
        }
        if (!double.IsFinite(vh) || vh < 0) throw new ArgumentOutOfRangeException(nameof(vehicleHours), "Vehicle-hours must be finite and non-negative.");

        var fuel = vh * constants.IdleFuelLitresPerHour * constants.ExcessFuelFactor;
        return new PhysicalImpact(true, null, vh, fuel, fuel * constants.Co2KgPerLitre,
            fuelPrice is null ? null : fuel * fuelPrice.IlsPerLitre,
            fuelPrice is null ? "no fuel price is configured" : null,
            vh * constants.ValueOfTimeIlsPerHour,
            profile?.Source, profile?.IsSynthetic ?? false, fuelPrice, constants.MethodologyVersion, constants.ConstantsVersion);
    }
}
