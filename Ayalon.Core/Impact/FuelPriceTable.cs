using System.Globalization;
using System.Text.Json;

namespace Ayalon.Core.Impact;

/// <summary>
/// The monthly fuel price table shipped with the app (<c>Impact/fuel-prices.v1.json</c>, embedded): Israel's
/// regulated maximum self-service 95-octane price incl. VAT, ₪/L, per month, each with its source. Validated at
/// start: a month out of form, repeated, without a source or priced outside the constants' valid range refuses to
/// load, naming the month. A month without an entry takes the latest earlier month's price.
/// </summary>
public sealed class FuelPriceTable
{
    public const string DefaultResourceName = "Ayalon.Core.Impact.fuel-prices.v1.json";

    private FuelPriceTable(IReadOnlyList<FuelPrice> prices) => Prices = prices;

    /// <summary>Entries in month order.</summary>
    public IReadOnlyList<FuelPrice> Prices { get; }

    public static FuelPriceTable LoadDefault(ImpactConstants constants)
    {
        using var stream = typeof(FuelPriceTable).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException($"Embedded fuel price table '{DefaultResourceName}' is missing.");
        return Load(stream, "fuel-prices.v1.json", constants);
    }

    public static FuelPriceTable Load(Stream json, string sourceName, ImpactConstants constants)
    {
        ArgumentNullException.ThrowIfNull(constants);
        var where = $"Fuel price table '{sourceName}'";
        using (var doc = ImpactConfigurationException.ParseJson(json, where))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("prices", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new ImpactConfigurationException($"{where}: 'prices' must be an array.");
            var prices = new List<FuelPrice>();
            var index = 0;
            foreach (var e in list.EnumerateArray())
            {
                var month = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("month", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
                var label = month.Length > 0 ? $"month {month}" : $"entry {index}";
                if (!e.TryGetProperty("ilsPerLitre", out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetDouble(out var price))
                    throw new ImpactConfigurationException($"{where}, {label}: 'ilsPerLitre' must be a number.");
                var source = e.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
                var secondary = e.TryGetProperty("secondary", out var sec) && sec.ValueKind == JsonValueKind.True;
                try
                {
                    prices.Add(FuelPrice.Create(price, source, month, constants) with { Secondary = secondary });
                }
                catch (ImpactConfigurationException ex)
                {
                    throw new ImpactConfigurationException($"{where}, {label}: {ex.Message}");
                }
                index++;
            }
            var repeated = prices.GroupBy(x => x.Month, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (repeated is not null) throw new ImpactConfigurationException($"{where}: month {repeated.Key} appears more than once.");
            return new FuelPriceTable(prices.OrderBy(x => x.Month, StringComparer.Ordinal).ToList());
        }
    }

    /// <summary>The price for a month (yyyy-MM): its own entry, else the latest earlier one; none before the first entry.</summary>
    public FuelPrice? For(string month) => Prices.LastOrDefault(p => string.CompareOrdinal(p.Month, month) <= 0);
}

/// <summary>
/// The fuel price applied to a month's hours: from the table or from the override settings. When the price is
/// another month's (the table has no entry yet), <see cref="Note"/> says so ("price of yyyy-MM").
/// </summary>
public sealed record FuelPriceUse(FuelPrice Price, string ForMonth, string Origin)
{
    public const string FromTable = "table";
    public const string FromSetting = "setting";

    public bool IsOtherMonth => !string.Equals(Price.Month, ForMonth, StringComparison.Ordinal);

    public string? Note => IsOtherMonth ? "price of " + Price.Month : null;

    public static string MonthOf(DateOnly localDate) => localDate.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
