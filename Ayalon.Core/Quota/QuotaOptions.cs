using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Quota;

public enum QuotaPeriod
{
    Day,
    Month,
}

/// <summary>
/// Settings section <c>Quota</c>: the provider request budget kept in Table Storage. <see cref="Limit"/>,
/// <see cref="Period"/>, <see cref="Pacing"/> and <see cref="PacingBurstPercent"/> are the defaults;
/// <c>Quota__Providers__&lt;name&gt;__Limit|Period|Pacing|PacingBurstPercent</c> override them for one provider
/// (HERE plans are monthly while TomTom's old free tier was daily). Ask <see cref="For"/>, never the properties.
/// </summary>
public sealed class QuotaOptions
{
    public const string SectionName = "Quota";
    public const int MaxLimit = 10_000_000;

    [Range(0, MaxLimit)]
    public int Limit { get; set; } = 2500;

    /// <summary>UTC day (default) or UTC calendar month (TomTom's free tier is now monthly).</summary>
    public QuotaPeriod Period { get; set; } = QuotaPeriod.Day;

    /// <summary>Spread the allowance over the period (see <see cref="QuotaPacing"/>). Unset: on for a monthly period, off for a daily one.</summary>
    public bool? Pacing { get; set; }

    /// <summary>How far ahead of the even pace a provider may run, in percent of its limit (at least one request).</summary>
    [Range(0.0, 100.0)]
    public double PacingBurstPercent { get; set; } = QuotaPacing.DefaultBurstPercent;

    [Range(1, 100)]
    public int AlertThresholdPercent { get; set; } = 90;

    /// <summary>Per-provider overrides, keyed by provider name (case-insensitive, as configuration keys are).</summary>
    public Dictionary<string, ProviderQuotaOverride> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The one place that resolves what applies to <paramref name="provider"/>: its override, else the default.</summary>
    public ProviderQuota For(string provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        // The binder may hand over its own (case-sensitive) dictionary: look up case-insensitively either way.
        var own = Providers.TryGetValue(provider, out var exact) ? exact
            : Providers.FirstOrDefault(p => string.Equals(p.Key, provider, StringComparison.OrdinalIgnoreCase)).Value;
        var period = own?.Period ?? Period;
        var limit = own?.Limit ?? Limit;
        var pacing = own?.Pacing ?? Pacing ?? period == QuotaPeriod.Month;
        var burstPercent = own?.PacingBurstPercent ?? PacingBurstPercent;
        return new ProviderQuota(provider, limit, period, pacing, QuotaPacing.BurstRequests(limit, burstPercent), AlertThresholdPercent);
    }

    /// <summary>
    /// Provider names in the configured order (<c>Traffic:Providers</c>, a comma list, default <c>here,tomtom</c>):
    /// the order health, analytics and the dashboard list quotas in.
    /// </summary>
    public static IReadOnlyList<string> ProviderOrder(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var raw = configuration[Traffic.TrafficOptions.SectionName + ":Providers"];
        return Traffic.TrafficOptions.Parse(string.IsNullOrWhiteSpace(raw) ? Traffic.TrafficOptions.DefaultProviders : raw);
    }
}

/// <summary>One provider's overrides of the <c>Quota</c> defaults; a property left unset takes the default.</summary>
public sealed class ProviderQuotaOverride
{
    public int? Limit { get; set; }

    public QuotaPeriod? Period { get; set; }

    public bool? Pacing { get; set; }

    public double? PacingBurstPercent { get; set; }
}

/// <summary>The settings in force for one provider, resolved by <see cref="QuotaOptions.For"/>.</summary>
/// <param name="PacingBurst">Requests the provider may run ahead of the even pace (≥ 1; see <see cref="QuotaPacing"/>).</param>
public sealed record ProviderQuota(
    string Provider,
    int Limit,
    QuotaPeriod Period,
    bool Pacing,
    int PacingBurst,
    int AlertThresholdPercent)
{
    public QuotaPeriodWindow WindowAt(DateTimeOffset instant) => QuotaPeriods.For(Period, instant);
}

/// <summary>
/// Checks the whole <c>Quota</c> section at start, overrides included (data annotations do not reach into the
/// dictionary), and names the setting that is wrong, so the host refuses to start with a usable message.
/// The overrides are also read raw: the binder silently drops a dictionary value it cannot convert (measured:
/// <c>Quota:Providers:here:Period=Weekly</c> bound as "no override", i.e. the daily default), and a misspelt key
/// would be ignored the same way.
/// </summary>
public sealed class QuotaOptionsValidator(IConfiguration configuration) : IValidateOptions<QuotaOptions>
{
    private static readonly string[] OverrideKeys =
        [nameof(ProviderQuotaOverride.Limit), nameof(ProviderQuotaOverride.Period), nameof(ProviderQuotaOverride.Pacing), nameof(ProviderQuotaOverride.PacingBurstPercent)];

    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var prefix = QuotaOptions.SectionName + ":";
        Check(errors, prefix, options.Limit, options.Period, options.PacingBurstPercent);
        foreach (var provider in configuration.GetSection(prefix + "Providers").GetChildren())
        {
            foreach (var setting in provider.GetChildren())
            {
                var key = setting.Path;
                var value = setting.Value;
                var known = OverrideKeys.FirstOrDefault(k => string.Equals(k, setting.Key, StringComparison.OrdinalIgnoreCase));
                var readable = known switch
                {
                    null => false,
                    _ when string.IsNullOrEmpty(value) => true,
                    nameof(ProviderQuotaOverride.Limit) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
                    nameof(ProviderQuotaOverride.Period) => Enum.TryParse<QuotaPeriod>(value, ignoreCase: true, out var p) && Enum.IsDefined(p) && !char.IsAsciiDigit(value.Trim()[0]),
                    nameof(ProviderQuotaOverride.Pacing) => bool.TryParse(value, out _),
                    _ => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
                };
                if (known is null)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key} is not a quota setting (one of {string.Join(", ", OverrideKeys)})"));
                }
                else if (!readable)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key} has a value that cannot be read ('{value}'){Expected(known)}"));
                }
            }
        }
        foreach (var (provider, o) in options.Providers)
        {
            var at = prefix + "Providers:" + provider + ":";
            if (string.IsNullOrWhiteSpace(provider) || provider.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{prefix}Providers: '{provider}' is not a valid provider name"));
                continue;
            }
            if (o is null) continue;
            Check(errors, at, o.Limit, o.Period, o.PacingBurstPercent);
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static string Expected(string key) => key switch
    {
        nameof(ProviderQuotaOverride.Period) => ": expected Day or Month",
        nameof(ProviderQuotaOverride.Pacing) => ": expected true or false",
        _ => ": expected a number",
    };

    private static void Check(List<string> errors, string at, int? limit, QuotaPeriod? period, double? burstPercent)
    {
        if (limit is < 0 or > QuotaOptions.MaxLimit)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{at}Limit must be between 0 and {QuotaOptions.MaxLimit} (is {limit})"));
        }
        // The binder turns "Weekly" into an error itself, but takes "7" as an undefined enum value.
        if (period is { } p && !Enum.IsDefined(p))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{at}Period must be Day or Month (is {(int)p})"));
        }
        if (burstPercent is { } b && (double.IsNaN(b) || b is < 0 or > 100))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{at}PacingBurstPercent must be between 0 and 100 (is {b})"));
        }
    }
}
