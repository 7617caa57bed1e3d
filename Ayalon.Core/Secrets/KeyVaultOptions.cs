using System.ComponentModel.DataAnnotations;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Secrets;

/// <summary>
/// Key Vault settings: <c>KeyVault__Uri</c> and one secret name per provider credential
/// (<c>KeyVault__TomTomSecretName</c>, <c>KeyVault__HereApiKeySecretName</c>, <c>KeyVault__HereAccessKeyIdSecretName</c>,
/// <c>KeyVault__HereAccessKeySecretSecretName</c>). The defaults are the secrets infra/main.bicep creates; a blank name
/// means the default. Checked at host start (<see cref="KeyVaultOptionsValidator"/>).
/// </summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    public const string DefaultTomTomSecretName = "tomtom-api-key";
    public const string DefaultHereApiKeySecretName = "here-api-key";
    public const string DefaultHereAccessKeyIdSecretName = "here-access-key-id";
    public const string DefaultHereAccessKeySecretSecretName = "here-access-key-secret";

    // Key Vault secret names: 1-127 letters, digits and dashes.
    private const string SecretNamePattern = "^[0-9A-Za-z-]{1,127}$";
    private const string SecretNameRule = "must be a Key Vault secret name (1-127 letters, digits and dashes)";

    public string? Uri { get; set; }

    [RegularExpression(SecretNamePattern, ErrorMessage = SecretNameRule)]
    public string TomTomSecretName { get; set; } = DefaultTomTomSecretName;

    [RegularExpression(SecretNamePattern, ErrorMessage = SecretNameRule)]
    public string HereApiKeySecretName { get; set; } = DefaultHereApiKeySecretName;

    [RegularExpression(SecretNamePattern, ErrorMessage = SecretNameRule)]
    public string HereAccessKeyIdSecretName { get; set; } = DefaultHereAccessKeyIdSecretName;

    [RegularExpression(SecretNamePattern, ErrorMessage = SecretNameRule)]
    public string HereAccessKeySecretSecretName { get; set; } = DefaultHereAccessKeySecretSecretName;

    /// <summary>How long a value read from the vault is used before it is read again.</summary>
    [Range(0, 86_400)]
    public int CacheSeconds { get; set; } = 300;

    /// <summary>After a failed read, how long before the vault is asked again (a cycle runs every 5 minutes).</summary>
    [Range(0, 3_600)]
    public int RetrySeconds { get; set; } = 30;

    /// <summary>True when <c>KeyVault:Uri</c> is set: the app then reads every provider credential from the vault itself.</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[SectionName + ":Uri"]);

    /// <summary>The vault's URI when <c>KeyVault:Uri</c> is an absolute https URI; null when unset or not one (start names it).</summary>
    public static Uri? VaultUriOf(string? value) =>
        System.Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == System.Uri.UriSchemeHttps ? uri : null;

    /// <summary>A blank secret name means the default (an app setting left empty by a template).</summary>
    internal void ApplyDefaults()
    {
        if (string.IsNullOrWhiteSpace(TomTomSecretName)) TomTomSecretName = DefaultTomTomSecretName;
        if (string.IsNullOrWhiteSpace(HereApiKeySecretName)) HereApiKeySecretName = DefaultHereApiKeySecretName;
        if (string.IsNullOrWhiteSpace(HereAccessKeyIdSecretName)) HereAccessKeyIdSecretName = DefaultHereAccessKeyIdSecretName;
        if (string.IsNullOrWhiteSpace(HereAccessKeySecretSecretName)) HereAccessKeySecretSecretName = DefaultHereAccessKeySecretSecretName;
    }

    /// <summary>A short network timeout and few retries: a cycle should not hang on the vault.</summary>
    internal static void ConfigureClient(SecretClientOptions options)
    {
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }
}

/// <summary>
/// <c>KeyVault__Uri</c>, when set, must be the vault's https URI (<c>https://&lt;name&gt;.vault.azure.net/</c>): a typo
/// or an unresolved reference stops the host at start naming the setting, rather than every credential read failing.
/// </summary>
public sealed class KeyVaultOptionsValidator : IValidateOptions<KeyVaultOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyVaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Uri) || KeyVaultOptions.VaultUriOf(options.Uri) is not null) return ValidateOptionsResult.Success;
        return ValidateOptionsResult.Fail(
            $"{KeyVaultOptions.SectionName}:Uri '{options.Uri}' is not an absolute https URI (e.g. https://<vault>.vault.azure.net/)");
    }
}
