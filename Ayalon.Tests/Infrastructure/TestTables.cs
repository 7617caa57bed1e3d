using Ayalon.Core.Storage;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Infrastructure;

/// <summary>
/// The app's tables over a test's storage, registered exactly as the hosts register them
/// (<see cref="StorageRegistration.AddAyalonStorage"/>: the AddAzureClients table client and its pipeline), for tests
/// that seed or inspect storage beside a host, or drive a store without one.
/// </summary>
public static class TestTables
{
    public static AyalonTables Open(StorageOptions storage, TableOperationCounter? counter = null)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(storage);
        if (counter is not null) services.AddSingleton(counter);
        services.AddAyalonStorage(new ConfigurationBuilder().Build());
        return services.BuildServiceProvider().GetRequiredService<AyalonTables>();
    }

    /// <summary>A table service client of the test's own, to inspect or break storage beside the app's clients.</summary>
    public static TableServiceClient Service(StorageOptions storage) => new(storage.ConnectionString);
}
