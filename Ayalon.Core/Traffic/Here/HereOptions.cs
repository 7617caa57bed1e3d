using System.ComponentModel.DataAnnotations;

namespace Ayalon.Core.Traffic.Here;

/// <summary>
/// Settings section <c>Here</c> (environment: <c>Here__BaseUrl</c>, <c>Here__ApiKey</c>, <c>Here__AccessKeyId</c>,
/// <c>Here__AccessKeySecret</c>, …) for HERE Traffic API v7. Either an API key (sent as the <c>apiKey</c> query
/// parameter) or OAuth 2.0 client credentials (access key id + secret, exchanged for a bearer token); OAuth wins
/// when both are set, so no secret travels in a URL. In Azure each comes from Key Vault.
/// </summary>
public sealed class HereOptions
{
    public const string SectionName = "Here";
    public const string DefaultBaseUrl = "https://data.traffic.hereapi.com";
    public const string DefaultTokenUrl = "https://account.api.here.com/oauth2/token";

    [Required, Url]
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The API key. Never logged or echoed.</summary>
    public string? ApiKey { get; set; }

    /// <summary>OAuth access key id (<c>here.access.key.id</c> in HERE's credentials.properties).</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>OAuth access key secret (<c>here.access.key.secret</c>). Never logged or echoed.</summary>
    public string? AccessKeySecret { get; set; }

    [Required, Url]
    public string TokenUrl { get; set; } = DefaultTokenUrl;

    /// <summary>Per attempt, headers and body together (a whole-corridor answer is tens of KB to a few MB).</summary>
    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>Pause before the single retry (after a timeout, 5xx or network error).</summary>
    [Range(0, 30_000)]
    public int RetryDelayMilliseconds { get; set; } = 500;

    /// <summary>
    /// Metres added on every side of the corridor's bounding box. HERE returns results whose own extent intersects
    /// the box, so a margin catches the links that run along the corridor's ends.
    /// </summary>
    [Range(300, 20_000)]
    public double BboxMarginMeters { get; set; } = 500;

    /// <summary>HERE <c>functionalClasses</c> filter: 1 = motorways, 2 = major roads.</summary>
    [Required]
    public string FunctionalClasses { get; set; } = "1,2";

    /// <summary>
    /// True when usable OAuth client credentials are set (they win over <see cref="ApiKey"/>); an unresolved Key Vault
    /// reference is not usable (<see cref="HereSecrets.Choose"/> holds the whole rule).
    /// </summary>
    public bool UsesOAuth => HereSecrets.Choose(ApiKey, AccessKeyId, AccessKeySecret).UsesOAuth;
}
