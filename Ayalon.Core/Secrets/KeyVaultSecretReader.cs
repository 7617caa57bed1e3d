using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ayalon.Core.Secrets;

/// <summary>
/// One provider credential read from Key Vault with <see cref="SecretClient"/>: cached for
/// <see cref="KeyVaultOptions.CacheSeconds"/>, forgotten after the provider rejected it (<see cref="Invalidate"/>), so
/// a rotated secret is used by the next request without a restart. A failed read is a configuration state, never an
/// exception and never exception text: <see cref="MissingReason"/> says which (<see cref="VaultUnreachable"/>,
/// <see cref="VaultForbidden"/>, <see cref="SecretMissing"/>, …) until a read succeeds. Every provider's Key Vault
/// source is built from these readers, so caching, retry pacing and reason codes have one home.
/// </summary>
public sealed class KeyVaultSecretReader
{
    public const string VaultUnreachable = "key_vault_unreachable";
    public const string VaultForbidden = "key_vault_forbidden";
    public const string SecretMissing = "key_vault_secret_missing";
    public const string CredentialUnavailable = "key_vault_credential_unavailable";
    public const string VaultError = "key_vault_error";

    private sealed record Cached(string Value, DateTimeOffset ExpiresAtUtc);

    private sealed record Failure(string Reason, DateTimeOffset AtUtc, TimeSpan RetryAfter);

    private readonly SecretClient _client;
    private readonly TimeSpan _cacheFor;
    private readonly TimeSpan _retryAfter;
    private readonly bool _optional;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Cached? _cached;
    private volatile Failure? _failure;
    private volatile string? _stale; // last good value, kept only to ride out a vault outage (never after Invalidate)

    /// <param name="client">The app's one client for the vault (registered with <c>AddAzureClients</c>, see <see cref="KeyVaultRegistration"/>).</param>
    /// <param name="optional">
    /// A secret the operator may not have created at all (a provider they do not use): its absence is logged at
    /// Debug, not as a warning, and is checked again after <see cref="KeyVaultOptions.CacheSeconds"/> rather than
    /// every <see cref="KeyVaultOptions.RetrySeconds"/>.
    /// </param>
    public KeyVaultSecretReader(SecretClient client, string secretName, KeyVaultOptions options, TimeProvider time,
        ILogger? logger = null, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        SecretName = secretName;
        _cacheFor = TimeSpan.FromSeconds(Math.Max(0, options.CacheSeconds));
        _retryAfter = TimeSpan.FromSeconds(Math.Max(0, options.RetrySeconds));
        _optional = optional;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    public string SecretName { get; }

    /// <summary>Known reason from the last read (sticky until a read succeeds); null before the first read.</summary>
    public string? MissingReason => _failure?.Reason;

    /// <summary>After a failed read, a new read is worth trying once the retry interval has passed.</summary>
    public bool RetryDue => _failure is { } f && _time.GetUtcNow() >= f.AtUtc + f.RetryAfter;

    /// <summary>The value now in use (cached), for redaction; null when none is.</summary>
    public string? CurrentValue => _cached?.Value;

    /// <summary>The secret's value (trimmed), or null when none is usable (see <see cref="MissingReason"/>).</summary>
    public async ValueTask<string?> GetAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } c && _time.GetUtcNow() < c.ExpiresAtUtc) return c.Value;

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (_cached is { } again && now < again.ExpiresAtUtc) return again.Value;
            if (_failure is { } f && now < f.AtUtc + f.RetryAfter) return null; // do not hammer a failing vault
            return await ReadAsync(_client, now, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>After the provider rejected the value: forget it (also as a fallback), so the next call reads the vault.</summary>
    public void Invalidate()
    {
        _cached = null;
        _stale = null;
        _logger.LogInformation("Key Vault secret {SecretName} invalidated; the next request reads it again", SecretName);
    }

    private async Task<string?> ReadAsync(SecretClient client, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string reason;
        try
        {
            var response = await client.GetSecretAsync(SecretName, null, cancellationToken).ConfigureAwait(false);
            var value = response.Value.Value;
            if (CredentialRules.ProblemOf(value) is { } problem)
            {
                // An empty secret, or one holding a reference literal: unusable, and never sent to a provider.
                _logger.LogWarning("Key Vault secret {SecretName} is unusable → {Reason}", SecretName, problem);
                return Fail(problem, now, allowStale: false);
            }
            var usable = value!.Trim();
            _cached = new Cached(usable, now + _cacheFor);
            _stale = usable;
            _logger.LogInformation("Key Vault secret {SecretName} read (version {SecretVersion})", SecretName, response.Value.Properties.Version);
            _failure = null;
            return usable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (RequestFailedException ex)
        {
            reason = ReasonFor(ex.Status);
            if (_optional && reason == SecretMissing)
            {
                _logger.LogDebug("Key Vault secret {SecretName} does not exist (optional) → {Reason}", SecretName, reason);
            }
            else
            {
                _logger.LogWarning("Key Vault read of secret {SecretName} failed: HTTP {Status} {ErrorCode} → {Reason}",
                    SecretName, ex.Status, SafeCode(ex.ErrorCode), reason);
            }
        }
        catch (AuthenticationFailedException ex)
        {
            // Includes CredentialUnavailableException: no managed identity / no developer login here.
            reason = CredentialUnavailable;
            _logger.LogWarning("Key Vault read of secret {SecretName} failed: no token ({ExceptionType}) → {Reason}",
                SecretName, ex.GetType().Name, reason);
        }
        catch (Exception ex) when (ex is AggregateException or HttpRequestException or IOException or OperationCanceledException or TimeoutException)
        {
            // Retries exhausted (AggregateException of transport failures), DNS, refused, network timeout.
            reason = ex is AggregateException agg && agg.InnerExceptions.OfType<RequestFailedException>().LastOrDefault() is { Status: > 0 } last
                ? ReasonFor(last.Status)
                : VaultUnreachable;
            _logger.LogWarning("Key Vault read of secret {SecretName} failed ({ExceptionType}) → {Reason}",
                SecretName, ex.GetType().Name, reason);
        }
        return Fail(reason, now, allowStale: reason == VaultUnreachable);
    }

    private string? Fail(string reason, DateTimeOffset now, bool allowStale)
    {
        _cached = null;
        if (allowStale && _stale is { } stale)
        {
            // The vault is down but the last value it gave was never rejected: keep collecting with it and ask the
            // vault again after the retry interval. A rejected value is never reused (Invalidate clears it).
            _cached = new Cached(stale, now + _retryAfter);
            _logger.LogWarning("Key Vault unreachable; using the last value of secret {SecretName} for another {RetrySeconds} s",
                SecretName, _retryAfter.TotalSeconds);
            return stale;
        }
        _stale = null;
        _failure = new Failure(reason, now, _optional && reason == SecretMissing ? _cacheFor : _retryAfter);
        return null;
    }

    private static string ReasonFor(int status) => status switch
    {
        0 or 408 or 429 or >= 500 => VaultUnreachable,
        401 or 403 => VaultForbidden,
        404 => SecretMissing,
        _ => VaultError,
    };

    private static string? SafeCode(string? code) =>
        code is { Length: > 0 and <= 64 } && code.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-') ? code : null;
}
