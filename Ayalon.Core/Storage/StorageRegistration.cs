using Azure.Data.Tables;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Storage;

/// <summary>
/// Table Storage for the app: its settings (checked at start), the one <see cref="TableServiceClient"/> registered
/// with <c>AddAzureClients</c> (authenticated with the app's credential, see <see cref="Secrets.AppCredential"/>),
/// the operation counter in its pipeline, and <see cref="AyalonTables"/> over it.
/// </summary>
public static class StorageRegistration
{
    public static IServiceCollection AddAyalonStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(_ => ReadStorageOptions(configuration));
        // The tables use the StorageOptions singleton (a test may register its own): that instance is what start checks.
        services.AddOptions<StorageOptions>().Configure<StorageOptions>((checkedCopy, inUse) =>
        {
            checkedCopy.ConnectionString = inUse.ConnectionString;
            checkedCopy.TableServiceUri = inUse.TableServiceUri;
            checkedCopy.ClientId = inUse.ClientId;
            checkedCopy.TablePrefix = inUse.TablePrefix;
        }).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>(_ => new StorageOptionsValidator(configuration)));
        services.TryAddSingleton<TableOperationCounter>();
        services.AddAzureClients(azure => azure
            .AddClient<TableServiceClient, TableClientOptions>((options, credential, sp) =>
                AyalonTables.CreateServiceClient(sp.GetRequiredService<StorageOptions>(), options, credential))
            .ConfigureOptions(AyalonTables.ConfigurePipeline));
        services.TryAddSingleton<AyalonTables>();
        return services;
    }

    /// <summary>
    /// <c>AzureWebJobsStorage</c> is either a connection string or a section of identity-based settings
    /// (<c>AzureWebJobsStorage__tableServiceUri</c>, <c>AzureWebJobsStorage__clientId</c>).
    /// </summary>
    public static StorageOptions ReadStorageOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection("AzureWebJobsStorage");
        var options = new StorageOptions
        {
            ConnectionString = section.Value,
            ClientId = section["clientId"],
            TablePrefix = configuration["Storage:TablePrefix"] ?? "ayalon",
        };
        var uri = section["tableServiceUri"];
        if (string.IsNullOrWhiteSpace(uri) && section["accountName"] is { Length: > 0 } account)
        {
            uri = $"https://{account}.table.core.windows.net";
        }
        // A malformed URI is left out here and named by StorageOptionsValidator at start.
        if (Uri.TryCreate(uri, UriKind.Absolute, out var serviceUri)) options.TableServiceUri = serviceUri;
        return options;
    }
}
