using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Identity;

namespace Ayalon.Core.Storage;

/// <summary>
/// The one place that knows the app's table names and creates table clients. Tables are created on first use
/// (idempotent), so a fresh Azurite or storage account needs no set-up step.
/// </summary>
public sealed class AyalonTables
{
    public const string QuotaLedger = "QuotaLedger";
    public const string CycleLeases = "CycleLeases";
    public const string Cycles = "Cycles";
    public const string Observations = "Observations";
    public const string RawResponses = "RawResponses";
    public const string HourlyRollups = "HourlyRollups";
    public const string LatestState = "LatestState";

    private readonly TableServiceClient _service;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);

    public AyalonTables(StorageOptions options, TableOperationCounter? counter = null)
    {
        _prefix = options.TablePrefix;
        Operations = counter ?? new TableOperationCounter();
        var clientOptions = new TableClientOptions();
        clientOptions.AddPolicy(Operations, Azure.Core.HttpPipelinePosition.PerRetry);
        // The SDK's default retry policy waits up to ~minutes while storage is down; a collection cycle must fail
        // loudly within seconds instead, and the next cycle tries again.
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            _service = new TableServiceClient(options.ConnectionString, clientOptions);
        }
        else if (options.TableServiceUri is not null)
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = options.ClientId,
            });
            _service = new TableServiceClient(options.TableServiceUri, credential, clientOptions);
        }
        else
        {
            throw new InvalidOperationException(
                "Storage is not configured: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__tableServiceUri.");
        }
    }

    public string Prefix => _prefix;

    /// <summary>Table Storage requests sent through this instance (billed transactions).</summary>
    public TableOperationCounter Operations { get; }

    public TableServiceClient Service => _service;

    public string FullName(string table) => _prefix + table;

    /// <summary>A client for one of the app's tables, created in storage the first time it is asked for.</summary>
    public Task<TableClient> GetAsync(string table, CancellationToken cancellationToken = default)
    {
        var lazy = _tables.GetOrAdd(table, t => new Lazy<Task<TableClient>>(() => CreateAsync(t, cancellationToken)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // Storage was down when first asked; try again next time rather than caching the failure.
            _tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(table, lazy));
        }
        return task;
    }

    private async Task<TableClient> CreateAsync(string table, CancellationToken cancellationToken)
    {
        var client = _service.GetTableClient(FullName(table));
        await client.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        return client;
    }
}
