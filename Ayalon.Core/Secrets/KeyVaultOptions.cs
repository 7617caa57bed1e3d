using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Core.Secrets;

/// <summary>
/// Key Vault settings: <c>KeyVault__Uri</c> and one secret name per provider credential
/// (<c>KeyVault__TomTomSecretName</c>, <c>KeyVault__HereApiKeySecretName</c>, <c>KeyVault__HereAccessKeyIdSecretName</c>,
/// <c>KeyVault__HereAccessKeySecretSecretName</c>). The defaults are the secrets infra/main.bicep creates.
/// </summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    public const string DefaultTomTomSecretName = "tomtom-api-key";
    public const string DefaultHereApiKeySecretName = "here-api-key";
    public const string DefaultHereAccessKeyIdSecretName = "here-access-key-id";
    public const string DefaultHereAccessKeySecretSecretName = "here-access-key-secret";

    public string? Uri { get; set; }

    public string TomTomSecretName { get; set; } = DefaultTomTomSecretName;

    public string HereApiKeySecretName { get; set; } = DefaultHereApiKeySecretName;

    public string HereAccessKeyIdSecretName { get; set; } = DefaultHereAccessKeyIdSecretName;

    public string HereAccessKeySecretSecretName { get; set; } = DefaultHereAccessKeySecretSecretName;

    /// <summary>How long a value read from the vault is used before it is read again.</summary>
    public int CacheSeconds { get; set; } = 300;

    /// <summary>After a failed read, how long before the vault is asked again (a cycle runs every 5 minutes).</summary>
    public int RetrySeconds { get; set; } = 30;

    /// <summary>True when <c>KeyVault:Uri</c> is set: the app then reads every provider credential from the vault itself.</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[SectionName + ":Uri"]);

    public static KeyVaultOptions From(IConfiguration configuration)
    {
        var options = new KeyVaultOptions();
        configuration.GetSection(SectionName).Bind(options);
        if (string.IsNullOrWhiteSpace(options.TomTomSecretName)) options.TomTomSecretName = DefaultTomTomSecretName;
        if (string.IsNullOrWhiteSpace(options.HereApiKeySecretName)) options.HereApiKeySecretName = DefaultHereApiKeySecretName;
        if (string.IsNullOrWhiteSpace(options.HereAccessKeyIdSecretName)) options.HereAccessKeyIdSecretName = DefaultHereAccessKeyIdSecretName;
        if (string.IsNullOrWhiteSpace(options.HereAccessKeySecretSecretName)) options.HereAccessKeySecretSecretName = DefaultHereAccessKeySecretSecretName;
        return options;
    }
}

/// <summary>
/// Overrides for how the <see cref="SecretClient"/> is built: tests register one with a fake credential and a
/// transport answering the Key Vault REST calls. Production registers none (DefaultAzureCredential, real transport).
/// </summary>
public sealed record KeyVaultClientSettings(TokenCredential Credential, SecretClientOptions ClientOptions)
{
    /// <summary>
    /// The registered settings, else production's: DefaultAzureCredential for the app's user-assigned identity
    /// (<c>AZURE_CLIENT_ID</c>) and <see cref="DefaultClientOptions"/>.
    /// </summary>
    public static KeyVaultClientSettings Resolve(IConfiguration configuration, IServiceProvider services) =>
        services.GetService<KeyVaultClientSettings>() ?? new KeyVaultClientSettings(
            new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = string.IsNullOrWhiteSpace(configuration["AZURE_CLIENT_ID"]) ? null : configuration["AZURE_CLIENT_ID"],
            }),
            DefaultClientOptions());

    /// <summary>A short network timeout and few retries: a cycle should not hang on the vault.</summary>
    public static SecretClientOptions DefaultClientOptions()
    {
        var options = new SecretClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }
}
