using Ayalon.Core.Traffic;

namespace Ayalon.Core.ReadModels;

/// <summary>Plain words for each provider status, as the page and health show them (one wording everywhere).</summary>
public static class ProviderMessages
{
    public static string For(string? status) => status switch
    {
        null => "no provider call recorded yet",
        ProviderStatus.Ok => "provider answered normally",
        ProviderStatus.NoCoverage => "provider has no coverage for this corridor",
        ProviderStatus.AuthError => "provider refused the credentials (auth_error)",
        ProviderStatus.RateLimited => "provider is rate limiting requests",
        ProviderStatus.HttpError => "provider answered with an HTTP error",
        ProviderStatus.NetworkError => "provider could not be reached",
        ProviderStatus.ParseError => "provider answer could not be read",
        ProviderStatus.NotConfigured => "no provider credentials are configured",
        ProviderStatus.QuotaExhausted => "the request quota is exhausted; collection resumes next period",
        ProviderStatus.QuotaPacing => "requests are paced so the period's allowance lasts to its end; a later cycle asks again",
        ProviderStatus.LowConfidence => "provider answered without real-time data (every piece below the confidence floor)",
        ProviderStatus.LedgerContention => "the quota ledger was busy with other collectors; no request was sent, the next cycle asks again",
        ProviderStatus.LedgerUnavailable => "the quota ledger could not be reached; no further request was sent",
        ProviderStatus.ProviderBackoff => "provider kept failing (5xx, timeouts); it is left alone for a few cycles, then asked again",
        _ => "provider status " + status,
    };
}
