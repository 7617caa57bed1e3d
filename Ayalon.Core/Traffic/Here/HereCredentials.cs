using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ayalon.Core.Traffic.Here;

/// <summary>
/// HERE credentials from an <see cref="IHereSecretSource"/> (configuration or Key Vault). With an API key it hands
/// the key out as is; with OAuth client credentials it exchanges them for a bearer token (<see cref="HereTokenClient"/>)
/// and caches the token until five minutes before it expires (clock: <see cref="TimeProvider"/>). Callers arriving
/// while a token request is in flight share it: one exchange, one result, whoever awaits it. A new access key
/// (rotation, configuration reload) is a new exchange; <see cref="Invalidate"/> (HERE answered 401/403) drops the
/// token and the source's cached secrets.
/// </summary>
public sealed class HereCredentials : IHereCredentials
{
    /// <summary>HERE's documented advice and this app's rule: renew a token 5 minutes before it expires.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    // HERE tokens live 24 h; a far larger expires_in is not believed (and would overflow date arithmetic).
    private static readonly TimeSpan LongestTokenLifetime = TimeSpan.FromDays(7);

    private sealed record CachedToken(string AccessKeyId, string AccessKeySecret, string Token, DateTimeOffset RefreshAtUtc);

    private sealed record Refresh(string AccessKeyId, string AccessKeySecret, Task<HereAuth> Task);

    private readonly IHereSecretSource _source;
    private readonly HereTokenClient _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private CachedToken? _token;
    private Refresh? _refresh;
    private volatile string? _lastIssuedToken; // kept for redaction after the cache dropped it

    public HereCredentials(IHereSecretSource source, HereTokenClient tokens, TimeProvider time, ILogger<HereCredentials>? logger = null)
    {
        _source = source;
        _tokens = tokens;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string? MissingReason => _source.MissingReason;

    public bool RetryDue => _source.RetryDue;

    public IReadOnlyCollection<string> SecretsToRedact =>
        _source.KnownSecrets.Append(_token?.Token).Append(_lastIssuedToken).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    public async Task<HereAuth> GetAsync(CancellationToken cancellationToken)
    {
        var secrets = await _source.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (secrets.Problem is { } problem) return HereAuth.Failed(ProviderStatus.NotConfigured, problem);
        if (!secrets.UsesOAuth) return new HereAuth(secrets.ApiKey, null, null, null, []);
        return await BearerAsync(secrets.AccessKeyId!, secrets.AccessKeySecret!).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Invalidate()
    {
        lock (_lock)
        {
            _token = null;
        }
        _source.Invalidate();
        _logger.LogInformation("HERE credentials invalidated; the next request reads them again (and asks for a new token with OAuth)");
    }

    private Task<HereAuth> BearerAsync(string accessKeyId, string accessKeySecret)
    {
        lock (_lock)
        {
            if (_token is { } t && Same(t.AccessKeyId, t.AccessKeySecret) && _time.GetUtcNow() < t.RefreshAtUtc)
            {
                return Task.FromResult(new HereAuth(null, t.Token, null, null, []));
            }
            if (_refresh is { } inFlight && Same(inFlight.AccessKeyId, inFlight.AccessKeySecret)) return inFlight.Task;

            // Started on the pool, not inline: the exchange must not finish (and clear _refresh) before it is stored.
            // No caller's token cancels it: it is shared, and bounded by its own timeout.
            var refresh = new Refresh(accessKeyId, accessKeySecret, Task.Run(() => ExchangeAsync(accessKeyId, accessKeySecret)));
            _refresh = refresh;
            refresh.Task.ContinueWith(_ =>
            {
                lock (_lock)
                {
                    if (ReferenceEquals(_refresh, refresh)) _refresh = null;
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return refresh.Task;
        }

        bool Same(string id, string secret) =>
            string.Equals(id, accessKeyId, StringComparison.Ordinal) && string.Equals(secret, accessKeySecret, StringComparison.Ordinal);
    }

    private async Task<HereAuth> ExchangeAsync(string accessKeyId, string accessKeySecret)
    {
        var exchange = await _tokens.RequestAsync(accessKeyId, accessKeySecret, CancellationToken.None).ConfigureAwait(false);
        if (exchange.Token is not { } token)
        {
            var attempt = exchange.Attempt;
            return HereAuth.Failed(attempt.Status, attempt.ErrorDetail ?? attempt.Status, [attempt]);
        }

        var lifetime = TimeSpan.FromSeconds(Math.Min(token.ExpiresInSeconds, LongestTokenLifetime.TotalSeconds));
        // Counted from when the request was sent, not answered. A lifetime under twice the margin is renewed at half
        // its length instead, so a short-lived token is still used at least once.
        var refreshAt = token.RequestedAtUtc + (lifetime > 2 * RefreshMargin ? lifetime - RefreshMargin : lifetime / 2);
        lock (_lock)
        {
            _token = new CachedToken(accessKeyId, accessKeySecret, token.AccessToken, refreshAt);
        }
        _lastIssuedToken = token.AccessToken;
        _logger.LogDebug("HERE bearer token cached until {RefreshAtUtc:O}", refreshAt);
        return new HereAuth(null, token.AccessToken, null, null, [exchange.Attempt]);
    }
}
