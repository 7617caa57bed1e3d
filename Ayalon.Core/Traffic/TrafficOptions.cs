using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Traffic;

/// <summary>
/// Settings section <c>Traffic</c>: <c>Traffic__Providers</c>, the providers a cycle asks, in order (comma list,
/// default <c>here,tomtom</c>). Only providers with credentials take part; the sections the first leaves unmeasured
/// (no coverage, errors — not quota or rate limits) go to the next in the same cycle.
/// </summary>
public sealed class TrafficOptions
{
    public const string SectionName = "Traffic";
    public const string DefaultProviders = "here,tomtom";

    [Required]
    public string Providers { get; set; } = DefaultProviders;

    public IReadOnlyList<string> Order => Parse(Providers);

    public static IReadOnlyList<string> Parse(string? providers) =>
        (providers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>Refuses a provider order that is empty or names a provider the app does not have, naming the setting.</summary>
public sealed class TrafficOptionsValidator(IEnumerable<ITrafficProvider> providers) : IValidateOptions<TrafficOptions>
{
    public ValidateOptionsResult Validate(string? name, TrafficOptions options)
    {
        var known = providers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var order = options.Order;
        if (order.Count == 0) return ValidateOptionsResult.Fail("Traffic:Providers is empty; name at least one of: " + string.Join(", ", known.Order()));
        var unknown = order.Where(p => !known.Contains(p)).ToList();
        return unknown.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Traffic:Providers names unknown provider(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known.Order())}");
    }
}

/// <summary>The registered providers in the configured order (each provider is registered once, as ITrafficProvider).</summary>
public sealed class TrafficProviders(IEnumerable<ITrafficProvider> providers, IOptionsMonitor<TrafficOptions> options)
{
    public IReadOnlyList<ITrafficProvider> InOrder()
    {
        var byName = providers.GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return options.CurrentValue.Order.Where(byName.ContainsKey).Select(n => byName[n]).ToList();
    }
}
