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

    /// <summary>
    /// The provider answered, but every piece was below the confidence floor (no real-time data, e.g. HERE's
    /// historical or speed-limit bands): nothing measured, and not "answered normally".
    /// </summary>
    public const string LowConfidence = "low_confidence";

    /// <summary>
    /// Not asked: the quota ledger row stayed contended by other collectors through every bounded retry, so no
    /// reservation could be made (fail-closed). Not an exhausted quota: the next cycle asks again.
    /// </summary>
    public const string LedgerContention = "ledger_contention";

    /// <summary>Not asked further: Table Storage failed while reserving a request in the quota ledger.</summary>
    public const string LedgerUnavailable = "ledger_unavailable";

    /// <summary>
    /// Not asked in this cycle: the provider failed (5xx, timeout, network) in the last cycles and is left alone for
    /// 1, 2, 4… cycles, at most <c>Collector:ProviderBackoffMaxMinutes</c> after its last failure.
    /// </summary>
    public const string ProviderBackoff = "provider_backoff";

    public static readonly IReadOnlyList<string> All =
    [
        Ok, NoCoverage, AuthError, RateLimited, HttpError, NetworkError, ParseError, NotConfigured, QuotaExhausted, QuotaPacing,
        LowConfidence, LedgerContention, LedgerUnavailable, ProviderBackoff,
    ];

    /// <summary>After one of these, asking the same provider again in this cycle only burns quota.</summary>
    public static bool EndsProviderTurn(string status) =>
        status is NoCoverage or AuthError or NotConfigured or QuotaExhausted or QuotaPacing or RateLimited or LedgerContention or LedgerUnavailable;

    /// <summary>
    /// After a request that failed with a 5xx, a timeout or a network error and its one retry, the provider is down
    /// for now: asking its other targets in the same cycle would cost two requests each for the same answer.
    /// </summary>
    public static bool EndsProviderTurn(ProviderAnswer answer) =>
        EndsProviderTurn(answer.Status) || (answer.FinalAttempt is { } last && IsWorthRetrying(last));

    /// <summary>
    /// Whether the sections a provider left unmeasured go to the next provider in the same cycle. Not after a
    /// budget or rate limit: those say "ask less", and a second provider would only spread the same overload.
    /// </summary>
    /// Nor after the ledger itself failed: storage is shared by every provider's row.
    public static bool AllowsFailover(string status) => status is not (QuotaExhausted or QuotaPacing or RateLimited or LedgerUnavailable);

    /// <summary>Retry only what may pass on a second try; a 4xx (coverage, key, rate) or a bad body will not.</summary>
    public static bool IsWorthRetrying(ProviderAttempt attempt) =>
        attempt.Status == NetworkError || (attempt.Status == HttpError && attempt.HttpStatus >= 500);
}
