namespace Ayalon.Core.Traffic.Here;

/// <summary>
/// How the next HERE request authenticates: an <see cref="ApiKey"/> (query parameter <c>apiKey</c>) or a
/// <see cref="BearerToken"/> (header <c>Authorization: Bearer …</c>), or neither with the reason.
/// <see cref="FailureStatus"/> is a <see cref="ProviderStatus"/> (<c>not_configured</c> with the reason as detail;
/// from the token endpoint: <c>auth_error</c> when it refused the credentials, <c>rate_limited</c> on 429,
/// <c>network_error</c>/<c>http_error</c> when it could not be reached or failed, <c>parse_error</c> for an answer
/// without a usable bearer token) and <see cref="FailureDetail"/> a short code (HERE's <c>errorCode</c>, <c>timeout</c>,
/// <c>http_503</c> …), never exception text. <see cref="TokenRequests"/> lists the token endpoint exchange this call
/// waited for (redacted URL, status, ms; callers that shared one in-flight exchange each see it) so the cycle can
/// record it; token requests are not traffic transactions and are not charged to the quota ledger.
/// </summary>
public sealed record HereAuth(
    string? ApiKey,
    string? BearerToken,
    string? FailureStatus,
    string? FailureDetail,
    IReadOnlyList<ProviderAttempt> TokenRequests)
{
    public bool IsUsable => FailureStatus is null && (ApiKey is not null || BearerToken is not null);

    public static HereAuth Failed(string status, string detail, IReadOnlyList<ProviderAttempt>? tokenRequests = null) =>
        new(null, null, status, detail, tokenRequests ?? []);
}

/// <summary>
/// Where HERE credentials come from: configuration (<c>Here__ApiKey</c>, or <c>Here__AccessKeyId</c> +
/// <c>Here__AccessKeySecret</c>) or Key Vault (per-provider secret names), with the OAuth bearer token cached until
/// five minutes before it expires. Every value it hands out or holds is a secret: never log or echo it.
/// </summary>
public interface IHereCredentials
{
    /// <summary>Credentials for the next request (fetching or refreshing an OAuth token when needed).</summary>
    Task<HereAuth> GetAsync(CancellationToken cancellationToken);

    /// <summary>After a 401/403 from HERE: forget the cached token (and a Key Vault copy) so the next call re-reads.</summary>
    void Invalidate();

    /// <summary>
    /// Why no credential is usable, known without a network call (<c>no_key</c>, <c>unresolved_key_vault_reference</c>,
    /// a Key Vault reason); null when credentials are, or may be, available.
    /// </summary>
    string? MissingReason { get; }

    /// <summary>True when <see cref="MissingReason"/> came from a remote read that may succeed now (see ITomTomKeySource.RetryDue).</summary>
    bool RetryDue { get; }

    /// <summary>
    /// Every secret value currently known (API key, access key secret, bearer token): the client redacts each of
    /// them from anything derived from a response before it is stored or logged.
    /// </summary>
    IReadOnlyCollection<string> SecretsToRedact { get; }
}
