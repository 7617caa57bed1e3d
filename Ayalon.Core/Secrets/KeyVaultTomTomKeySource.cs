using Ayalon.Core.Traffic;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ayalon.Core.Secrets;

/// <summary>Key Vault settings (<c>KeyVault__Uri</c>, <c>KeyVault__TomTomSecretName</c>).</summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    /// <summary>The secret infra/main.bicep creates.</summary>
    public const string DefaultTomTomSecretName = "tomtom-api-key";

    public string? Uri { get; set; }

    public string TomTomSecretName { get; set; } = DefaultTomTomSecretName;

    /// <summary>How long a key read from the vault is used before it is read again.</summary>
    public int CacheSeconds { get; set; } = 300;

    /// <summary>After a failed read, how long before the vault is asked again (a cycle runs every 5 minutes).</summary>
    public int RetrySeconds { get; set; } = 30;

    public static KeyVaultOptions From(IConfiguration configuration)
    {
        var options = new KeyVaultOptions();
        configuration.GetSection(SectionName).Bind(options);
        if (string.IsNullOrWhiteSpace(options.TomTomSecretName)) options.TomTomSecretName = DefaultTomTomSecretName;
        return options;
    }
}

/// <summary>
/// Overrides for how the <see cref="SecretClient"/> is built: tests register one with a fake credential and a
/// transport answering the Key Vault REST calls. Production registers none (DefaultAzureCredential, real transport).
/// </summary>
public sealed record KeyVaultClientSettings(TokenCredential Credential, SecretClientOptions ClientOptions);

/// <summary>
/// The TomTom key read from Key Vault with <see cref="SecretClient"/> (used when <c>KeyVault__Uri</c> is set).
/// The key is cached for <see cref="KeyVaultOptions.CacheSeconds"/> and forgotten after an <c>auth_error</c>
/// (<see cref="Invalidate"/>), so a rotated secret is used by the next request without a restart.
/// A failed read is a configuration state, never an exception and never exception text:
/// <see cref="MissingKeyReason"/> says which (<see cref="VaultUnreachable"/>, <see cref="VaultForbidden"/>,
/// <see cref="SecretMissing"/>, …) until a read succeeds, and no request goes to TomTom meanwhile.
/// </summary>
public sealed class KeyVaultTomTomKeySource : ITomTomKeySource
{
    public const string VaultUnreachable = "key_vault_unreachable";
    public const string VaultForbidden = "key_vault_forbidden";
    public const string SecretMissing = "key_vault_secret_missing";
    public const string CredentialUnavailable = "key_vault_credential_unavailable";
    public const string VaultError = "key_vault_error";
    public const string VaultUriInvalid = "key_vault_uri_invalid";

    private sealed record Cached(string Key, DateTimeOffset ExpiresAtUtc);

    private sealed record Failure(string Reason, DateTimeOffset AtUtc);

    private readonly SecretClient? _client;
    private readonly string _secretName;
    private readonly TimeSpan _cacheFor;
    private readonly TimeSpan _retryAfter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Cached? _cached;
    private volatile Failure? _failure;
    private volatile string? _staleKey; // last good key, kept only to ride out a vault outage (never after an auth_error)

    public KeyVaultTomTomKeySource(KeyVaultOptions options, TokenCredential credential, SecretClientOptions? clientOptions,
        TimeProvider time, ILogger<KeyVaultTomTomKeySource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        _secretName = options.TomTomSecretName;
        _cacheFor = TimeSpan.FromSeconds(Math.Max(0, options.CacheSeconds));
        _retryAfter = TimeSpan.FromSeconds(Math.Max(0, options.RetrySeconds));
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        if (System.Uri.TryCreate(options.Uri?.Trim(), UriKind.Absolute, out var vaultUri) &&
            vaultUri.Scheme == System.Uri.UriSchemeHttps)
        {
            _client = new SecretClient(vaultUri, credential, clientOptions ?? DefaultClientOptions());
        }
        else
        {
            // e.g. an unresolved app setting reference or a typo: permanent until the setting is fixed (restart).
            _failure = new Failure(VaultUriInvalid, DateTimeOffset.MinValue);
        }
    }

    /// <summary>Production: DefaultAzureCredential for the app's user-assigned identity (<c>AZURE_CLIENT_ID</c>).</summary>
    public static KeyVaultTomTomKeySource Create(IConfiguration configuration, IServiceProvider services)
    {
        var settings = services.GetService<KeyVaultClientSettings>();
        var credential = settings?.Credential ?? new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(configuration["AZURE_CLIENT_ID"]) ? null : configuration["AZURE_CLIENT_ID"],
        });
        return new KeyVaultTomTomKeySource(KeyVaultOptions.From(configuration), credential, settings?.ClientOptions,
            services.GetService<TimeProvider>() ?? TimeProvider.System, services.GetService<ILogger<KeyVaultTomTomKeySource>>());
    }

    /// <summary>A short network timeout and few retries: a cycle should not hang on the vault.</summary>
    public static SecretClientOptions DefaultClientOptions()
    {
        var options = new SecretClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }

    /// <summary>Known reason from the last read (sticky until a read succeeds); null before the first read.</summary>
    public string? MissingKeyReason => _failure?.Reason;

    /// <summary>After a failed read, a new read is worth trying once <see cref="KeyVaultOptions.RetrySeconds"/> have passed.</summary>
    public bool RetryDue => _client is not null && _failure is { } f && _time.GetUtcNow() >= f.AtUtc + _retryAfter;

    public async ValueTask<string?> GetKeyAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } c && _time.GetUtcNow() < c.ExpiresAtUtc) return c.Key;
        if (_client is null) return null;

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (_cached is { } again && now < again.ExpiresAtUtc) return again.Key;
            if (_failure is { } f && now < f.AtUtc + _retryAfter) return null; // do not hammer a failing vault
            return await ReadAsync(_client, now, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>After an auth_error: forget the key (also as a fallback), so the next request reads the vault.</summary>
    public void Invalidate()
    {
        _cached = null;
        _staleKey = null;
        _logger.LogInformation("TomTom key from Key Vault invalidated; the next request reads secret {SecretName} again", _secretName);
    }

    private async Task<string?> ReadAsync(SecretClient client, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string reason;
        try
        {
            var response = await client.GetSecretAsync(_secretName, null, cancellationToken).ConfigureAwait(false);
            var value = response.Value.Value;
            if (TomTomKeyRules.ProblemOf(value) is { } problem)
            {
                // An empty secret, or one holding a reference literal: unusable, and never sent to TomTom.
                return Fail(problem, now, allowStale: false);
            }
            var key = value!.Trim();
            _cached = new Cached(key, now + _cacheFor);
            _staleKey = key;
            _logger.LogInformation("TomTom key read from Key Vault secret {SecretName} (version {SecretVersion})",
                _secretName, response.Value.Properties.Version);
            _failure = null;
            return key;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (RequestFailedException ex)
        {
            reason = ReasonFor(ex.Status);
            _logger.LogWarning("Key Vault read of secret {SecretName} failed: HTTP {Status} {ErrorCode} → {Reason}",
                _secretName, ex.Status, SafeCode(ex.ErrorCode), reason);
        }
        catch (AuthenticationFailedException ex)
        {
            // Includes CredentialUnavailableException: no managed identity / no developer login here.
            reason = CredentialUnavailable;
            _logger.LogWarning("Key Vault read of secret {SecretName} failed: no token ({ExceptionType}) → {Reason}",
                _secretName, ex.GetType().Name, reason);
        }
        catch (Exception ex) when (ex is AggregateException or HttpRequestException or IOException or OperationCanceledException or TimeoutException)
        {
            // Retries exhausted (AggregateException of transport failures), DNS, refused, network timeout.
            reason = ex is AggregateException agg && agg.InnerExceptions.OfType<RequestFailedException>().LastOrDefault() is { Status: > 0 } last
                ? ReasonFor(last.Status)
                : VaultUnreachable;
            _logger.LogWarning("Key Vault read of secret {SecretName} failed ({ExceptionType}) → {Reason}",
                _secretName, ex.GetType().Name, reason);
        }
        return Fail(reason, now, allowStale: reason == VaultUnreachable);
    }

    private string? Fail(string reason, DateTimeOffset now, bool allowStale)
    {
        _cached = null;
        if (allowStale && _staleKey is { } stale)
        {
            // The vault is down but the last key it gave was never rejected: keep collecting with it and ask the
            // vault again after the retry interval. A rejected key is never reused (Invalidate clears it).
            _cached = new Cached(stale, now + _retryAfter);
            _logger.LogWarning("Key Vault unreachable; using the last key read from it for another {RetrySeconds} s", _retryAfter.TotalSeconds);
            return stale;
        }
        _staleKey = null;
        _failure = new Failure(reason, now);
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
