namespace Ayalon.Core.Traffic;

/// <summary>
/// The one vocabulary for what a traffic provider answered. Decided from HTTP status, exception type and the
/// provider's structured error body — never from message substrings of exceptions.
/// </summary>
public static class ProviderStatus
{
    public const string Ok = "ok";
    public const string NoCoverage = "no_coverage";
    public const string AuthError = "auth_error";
    public const string RateLimited = "rate_limited";
    public const string HttpError = "http_error";
    public const string NetworkError = "network_error";
    public const string ParseError = "parse_error";
    public const string NotConfigured = "not_configured";
    public const string QuotaExhausted = "quota_exhausted";

    /// <summary>
    /// Not asked because the period's allowance is paced: the provider is at its pace for now (see
    /// Quota/QuotaPacing), so the request waits for a later cycle instead of running the allowance out early.
    /// </summary>
    public const string QuotaPacing = "quota_pacing";

    public static readonly IReadOnlyList<string> All =
    [
        Ok, NoCoverage, AuthError, RateLimited, HttpError, NetworkError, ParseError, NotConfigured, QuotaExhausted, QuotaPacing,
    ];

    /// <summary>After one of these, asking the same provider again in this cycle only burns quota.</summary>
    public static bool EndsProviderTurn(string status) =>
        status is NoCoverage or AuthError or NotConfigured or QuotaExhausted or QuotaPacing or RateLimited;

    /// <summary>
    /// Whether the sections a provider left unmeasured go to the next provider in the same cycle. Not after a
    /// budget or rate limit: those say "ask less", and a second provider would only spread the same overload.
    /// </summary>
    public static bool AllowsFailover(string status) => status is not (QuotaExhausted or QuotaPacing or RateLimited);

    /// <summary>Retry only what may pass on a second try; a 4xx (coverage, key, rate) or a bad body will not.</summary>
    public static bool IsWorthRetrying(ProviderAttempt attempt) =>
        attempt.Status == NetworkError || (attempt.Status == HttpError && attempt.HttpStatus >= 500);
}
