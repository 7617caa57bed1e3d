using Ayalon.Core.Secrets;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Traffic.Here;

/// <summary>
/// The HERE credential in use: OAuth client credentials (<see cref="AccessKeyId"/> + <see cref="AccessKeySecret"/>,
/// which win when both are usable, so no secret travels in a URL), else an <see cref="ApiKey"/>, else
/// <see cref="Problem"/> says why neither is usable. Values are trimmed and pass <see cref="CredentialRules"/>.
/// </summary>
public sealed record HereSecrets(string? ApiKey, string? AccessKeyId, string? AccessKeySecret, string? Problem)
{
    /// <summary>Only one half of the OAuth pair is set (and no API key): the operator forgot the other half.</summary>
    public const string OAuthIncomplete = "oauth_credentials_incomplete";

    public bool UsesOAuth => AccessKeyId is not null && AccessKeySecret is not null;

    /// <summary>The one rule for choosing between the configured values (raw: blank, a reference literal, or a value).</summary>
    public static HereSecrets Choose(string? apiKey, string? accessKeyId, string? accessKeySecret)
    {
        var id = CredentialRules.Usable(accessKeyId);
        var secret = CredentialRules.Usable(accessKeySecret);
        if (id is not null && secret is not null) return new(null, id, secret, null);
        if (CredentialRules.Usable(apiKey) is { } key) return new(key, null, null, null);

        var problems = new[] { apiKey, accessKeyId, accessKeySecret }.Select(CredentialRules.ProblemOf).ToList();
        var problem = problems.Contains(CredentialRules.UnresolvedKeyVaultReference) ? CredentialRules.UnresolvedKeyVaultReference
            : id is not null || secret is not null ? OAuthIncomplete
            : CredentialRules.NoKey;
        return Failed(problem);
    }

    public static HereSecrets Failed(string problem) => new(null, null, null, problem);
}

/// <summary>Where the HERE secrets are read from: configuration, or Key Vault when <c>KeyVault__Uri</c> is set.</summary>
public interface IHereSecretSource
{
    ValueTask<HereSecrets> ReadAsync(CancellationToken cancellationToken);

    /// <summary>HERE refused them: forget cached copies so the next read fetches rotated ones.</summary>
    void Invalidate();

    /// <summary>Why no credential is usable, known without a network call; null when one is, or may be, available.</summary>
    string? MissingReason { get; }

    /// <summary>True when <see cref="MissingReason"/> came from a remote read that may succeed now.</summary>
    bool RetryDue { get; }

    /// <summary>The secret values now held (API key, access key secret), for redaction.</summary>
    IEnumerable<string> KnownSecrets { get; }
}

/// <summary>
/// From configuration: <c>Here__ApiKey</c>, or <c>Here__AccessKeyId</c> + <c>Here__AccessKeySecret</c> (in Azure app
/// settings that may be Key Vault references, resolved by the platform). Configuration reloads itself; nothing is cached.
/// </summary>
public sealed class OptionsHereSecretSource(IOptionsMonitor<HereOptions> options) : IHereSecretSource
{
    public ValueTask<HereSecrets> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Current());

    public void Invalidate()
    {
    }

    public string? MissingReason => Current().Problem;

    public bool RetryDue => false;

    public IEnumerable<string> KnownSecrets
    {
        get
        {
            var o = options.CurrentValue;
            return new[] { CredentialRules.Usable(o.ApiKey), CredentialRules.Usable(o.AccessKeySecret) }.OfType<string>();
        }
    }

    private HereSecrets Current()
    {
        var o = options.CurrentValue;
        return HereSecrets.Choose(o.ApiKey, o.AccessKeyId, o.AccessKeySecret);
    }
}

/// <summary>
/// From Key Vault secrets <see cref="KeyVaultOptions.HereAccessKeyIdSecretName"/> + <see cref="KeyVaultOptions.HereAccessKeySecretSecretName"/>
/// (OAuth, read first) or <see cref="KeyVaultOptions.HereApiKeySecretName"/>, each through a cached
/// <see cref="KeyVaultSecretReader"/>. Every HERE secret is optional: an operator may run TomTom alone, so a
/// missing secret only means HERE is not configured (<see cref="KeyVaultSecretReader.SecretMissing"/>).
/// With <c>KeyVault__Uri</c> set the <c>Here__*</c> credential settings are not read.
/// </summary>
public sealed class KeyVaultHereSecretSource : IHereSecretSource
{
    private readonly KeyVaultSecretReader _apiKey;
    private readonly KeyVaultSecretReader _accessKeyId;
    private readonly KeyVaultSecretReader _accessKeySecret;

    public KeyVaultHereSecretSource(SecretClient client, IOptions<KeyVaultOptions> settings, TimeProvider time,
        ILogger<KeyVaultHereSecretSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.Value;
        _accessKeyId = new KeyVaultSecretReader(client, options.HereAccessKeyIdSecretName, options, time, logger, optional: true);
        _accessKeySecret = new KeyVaultSecretReader(client, options.HereAccessKeySecretSecretName, options, time, logger, optional: true);
        _apiKey = new KeyVaultSecretReader(client, options.HereApiKeySecretName, options, time, logger, optional: true);
    }

    public async ValueTask<HereSecrets> ReadAsync(CancellationToken cancellationToken)
    {
        // OAuth first: when the pair is there, the API key secret is not even read.
        var id = await _accessKeyId.GetAsync(cancellationToken).ConfigureAwait(false);
        var secret = id is null ? null : await _accessKeySecret.GetAsync(cancellationToken).ConfigureAwait(false);
        if (id is not null && secret is not null) return HereSecrets.Choose(null, id, secret);
        var key = await _apiKey.GetAsync(cancellationToken).ConfigureAwait(false);
        return key is not null ? HereSecrets.Choose(key, null, null) : HereSecrets.Failed(Reason());
    }

    public void Invalidate()
    {
        foreach (var reader in Readers.Where(r => r.CurrentValue is not null)) reader.Invalidate();
    }

    public string? MissingReason =>
        _apiKey.MissingReason is null || (_accessKeyId.MissingReason is null && _accessKeySecret.MissingReason is null) ? null : Reason();

    public bool RetryDue => Readers.Any(r => r.RetryDue);

    public IEnumerable<string> KnownSecrets => new[] { _apiKey.CurrentValue, _accessKeySecret.CurrentValue }.OfType<string>();

    private IEnumerable<KeyVaultSecretReader> Readers => [_accessKeyId, _accessKeySecret, _apiKey];

    /// <summary>
    /// The most useful reason: a vault problem (unreachable, forbidden, no identity) or an unusable value before
    /// "missing", since a missing HERE secret is a normal state and the others need the operator.
    /// </summary>
    private string Reason()
    {
        var reasons = Readers.Select(r => r.MissingReason).OfType<string>().ToList();
        if (reasons.FirstOrDefault(r => r != KeyVaultSecretReader.SecretMissing) is { } serious) return serious;
        if (_accessKeyId.CurrentValue is not null || _accessKeySecret.CurrentValue is not null) return HereSecrets.OAuthIncomplete;
        return KeyVaultSecretReader.SecretMissing;
    }
}
