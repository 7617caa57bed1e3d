using Ayalon.Core.Configuration;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Secrets;

/// <summary>
/// Key Vault settings (checked at start) and, when <c>KeyVault__Uri</c> is set, the one <see cref="SecretClient"/>
/// registered with <c>AddAzureClients</c>: it authenticates with the app's credential (<see cref="AppCredential"/>),
/// the same one the tables use. Every provider's Key Vault source reads through it.
/// </summary>
public static class KeyVaultRegistration
{
    public static IServiceCollection AddKeyVault(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<KeyVaultOptions>(KeyVaultOptions.SectionName).PostConfigure(o => o.ApplyDefaults());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyVaultOptions>, KeyVaultOptionsValidator>());
        // An unusable URI registers no client: KeyVaultOptionsValidator stops the host at start naming the setting.
        if (KeyVaultOptions.VaultUriOf(configuration[KeyVaultOptions.SectionName + ":Uri"]) is { } vaultUri)
        {
            services.AddAzureClients(azure => azure.AddSecretClient(vaultUri).ConfigureOptions(KeyVaultOptions.ConfigureClient));
        }
        return services;
    }

    /// <summary>
    /// The vault's client for a Key Vault credential source. The settings are read first, so a bad <c>KeyVault__Uri</c>
    /// surfaces as its own validation message, not as a missing service.
    /// </summary>
    public static SecretClient Client(IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<KeyVaultOptions>>().Value;
        return services.GetRequiredService<SecretClient>();
    }
}
