using Ayalon.Core.Traffic;

namespace Ayalon.Core.Api;

/// <summary>Plain words for each provider status, as the page and health show them (one wording everywhere).</summary>
public static class ProviderMessages
{
    public static string For(string? status) => status switch
    {
        null => "no provider call recorded yet",
        ProviderStatus.Ok => "provider answered normally",
        ProviderStatus.NoCoverage => "provider has no coverage for this corridor",
        ProviderStatus.AuthError => "provider refused the key (auth_error)",
        ProviderStatus.RateLimited => "provider is rate limiting requests",
        ProviderStatus.HttpError => "provider answered with an HTTP error",
        ProviderStatus.NetworkError => "provider could not be reached",
        ProviderStatus.ParseError => "provider answer could not be read",
        ProviderStatus.NotConfigured => "no provider key is configured",
        ProviderStatus.QuotaExhausted => "the request quota is exhausted; collection resumes next period",
        ProviderStatus.QuotaPacing => "requests are paced to make the period's quota last; the next one is due shortly",
        _ => "provider status " + status,
    };
}
