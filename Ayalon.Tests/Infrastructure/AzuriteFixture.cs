using Ayalon.Core.Storage;

namespace Ayalon.Tests.Infrastructure;

/// <summary>
/// Azurite for tests: reuses the instance test.sh started (AYALON_TEST_AZURITE_PORT) or starts one per test run
/// on a free port, shared by every class (so classes still run in parallel) and stopped when the run ends.
/// Tests isolate themselves with a fresh table prefix, not a fresh server. Tests that stop storage on purpose
/// start their own <see cref="AzuriteProcess"/> instead.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string PortVariable = "AYALON_TEST_AZURITE_PORT";

    private static readonly Lazy<Task<string>> Shared = new(StartSharedAsync);

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        TestLane.ThrowIfUnit("Azurite");
        ConnectionString = await Shared.Value;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A table prefix no other test uses (table names: letters and digits, starting with a letter).</summary>
    public static string NewTablePrefix() => "t" + Guid.NewGuid().ToString("N")[..10];

    public StorageOptions NewStorageOptions() => new() { ConnectionString = ConnectionString, TablePrefix = NewTablePrefix() };

    public AyalonTables NewTables() => TestTables.Open(NewStorageOptions());

    private static async Task<string> StartSharedAsync()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(PortVariable), out var port))
        {
            return AzuriteProcess.ConnectionStringFor(port);
        }
        var azurite = await AzuriteProcess.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.StopAsync().GetAwaiter().GetResult();
        return azurite.ConnectionString;
    }
}
