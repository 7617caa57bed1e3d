using Ayalon.Core.Storage;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ayalon.Core.Secrets;

/// <summary>
/// The app's one Azure credential, shared by every Azure client registered with <c>AddAzureClients</c> (the table
/// service and the Key Vault secret client): <see cref="DefaultAzureCredential"/> for the user-assigned identity named
/// by <c>AZURE_CLIENT_ID</c>, else by <c>AzureWebJobsStorage__clientId</c> (infra sets both to the same identity; start
/// refuses two different ones, see <see cref="Storage.StorageOptionsValidator"/>). Locally, with a connection string
/// and no vault, it is never asked for a token.
/// </summary>
public static class AppCredential
{
    public const string ClientIdSetting = "AZURE_CLIENT_ID";

    public static IServiceCollection AddAppCredential(this IServiceCollection services, IConfiguration configuration)
    {
        var credential = Create(configuration);
        services.AddAzureClients(azure => azure.UseCredential(credential));
        // AddAzureClients forwards the SDK's own event-source logs to ILogger: every request at Information, and every
        // answer of 400 or above at Warning, which includes the normal flows (Key Vault's 401 challenge before each
        // first read, 404 for an optional secret, 409 when a table already exists, 412 when the ledger's ETag moved).
        // The app logs each real failure itself with its reason code, so only the SDK's errors pass (an "Azure.*" rule
        // in the Logging settings still overrides this).
        services.AddLogging(logging => logging.AddFilter("Azure", LogLevel.Error));
        return services;
    }

    /// <summary>The client id of the app's user-assigned identity, or null for the system-assigned one (or a developer login).</summary>
    public static string? ClientIdOf(IConfiguration configuration) =>
        new[] { configuration[ClientIdSetting], StorageRegistration.ReadStorageOptions(configuration).ClientId }
            .FirstOrDefault(id => !string.IsNullOrWhiteSpace(id))?.Trim();

    private static TokenCredential Create(IConfiguration configuration) =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ClientIdOf(configuration) });
}
