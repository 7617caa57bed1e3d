using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ayalon.Core.Storage;

/// <summary>
/// The one place that knows the app's table names and creates table clients. Tables are created on first use
/// (idempotent), so a fresh Azurite or storage account needs no set-up step, and created again when they disappear
/// while the app runs (an in-memory Azurite restarted): each table client's pipeline re-creates its table on a
/// TableNotFound answer and re-sends the request once.
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
    private readonly Func<string, TableClientOptions, TableClient> _newTableClient;
    private readonly string _prefix;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task>> _recreating = new(StringComparer.Ordinal);

    public AyalonTables(StorageOptions options, TableOperationCounter? counter = null, ILogger<AyalonTables>? logger = null)
    {
        _prefix = options.TablePrefix;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Operations = counter ?? new TableOperationCounter();
        var serviceOptions = NewClientOptions(Operations);

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var connection = options.ConnectionString;
            _service = new TableServiceClient(connection, serviceOptions);
            _newTableClient = (name, o) => new TableClient(connection, name, o);
        }
        else if (options.TableServiceUri is not null)
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = options.ClientId,
            });
            var uri = options.TableServiceUri;
            _service = new TableServiceClient(uri, credential, serviceOptions);
            _newTableClient = (name, o) => new TableClient(uri, name, credential, o);
        }
        else
        {
            throw new InvalidOperationException(
                "Storage is not configured: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__tableServiceUri.");
        }
    }

    private static TableClientOptions NewClientOptions(TableOperationCounter counter)
    {
        var clientOptions = new TableClientOptions();
        clientOptions.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerRetry);
        // The SDK's default retry policy waits up to ~minutes while storage is down; a collection cycle must fail
        // loudly within seconds instead, and the next cycle tries again.
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return clientOptions;
    }

    public string Prefix => _prefix;

    /// <summary>Table Storage requests sent through this instance (billed transactions).</summary>
    public TableOperationCounter Operations { get; }

    public TableServiceClient Service => _service;

    public string FullName(string table) => _prefix + table;

    /// <summary>
    /// A client for one of the app's tables, created in storage the first time it is asked for. The client re-creates
    /// its table if it disappears (see <see cref="RecreateMissingTablePolicy"/>), so every store recovers without
    /// catching 404 itself.
    /// </summary>
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

    /// <summary>Table re-creations since start (each one logged as a warning).</summary>
    public int TablesRecreated => Volatile.Read(ref _recreated);

    private int _recreated;

    private async Task<TableClient> CreateAsync(string table, CancellationToken cancellationToken)
    {
        var options = NewClientOptions(Operations);
        // Per call, before the retry policy: a re-sent request is retried and counted like any other.
        options.AddPolicy(new RecreateMissingTablePolicy(this, table), Azure.Core.HttpPipelinePosition.PerCall);
        var client = _newTableClient(FullName(table), options);
        await _service.GetTableClient(FullName(table)).CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>
    /// The table answered "TableNotFound": it existed (the client was handed out after creating it) and is gone — an
    /// in-memory Azurite restarted, or someone deleted it. Create it again, once for all requests that hit the same
    /// failure at the same moment, and log it: data that was in it is gone, and the operator should know.
    /// </summary>
    internal Task RecreateAsync(string table, bool async, CancellationToken cancellationToken)
    {
        var lazy = _recreating.GetOrAdd(table, t => new Lazy<Task>(() => RecreateCoreAsync(t, async, cancellationToken)));
        return lazy.Value;
    }

    private async Task RecreateCoreAsync(string table, bool async, CancellationToken cancellationToken)
    {
        try
        {
            _logger.LogWarning("Table {Table} no longer exists in storage (TableNotFound); creating it again", FullName(table));
            var client = _service.GetTableClient(FullName(table));
            if (async) await client.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            else client.CreateIfNotExists(cancellationToken);
            Interlocked.Increment(ref _recreated);
        }
        finally
        {
            _recreating.TryRemove(table, out _);
        }
    }

    /// <summary>
    /// On a 404 TableNotFound answer (or a transaction whose answer carries one), re-create the table and send the
    /// request once more. Safe to repeat: storage refused the request without applying any of it.
    /// </summary>
    private sealed class RecreateMissingTablePolicy(AyalonTables owner, string table) : HttpPipelinePolicy
    {
        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            if (!TableIsMissing(message)) return;
            await owner.RecreateAsync(table, async: true, message.CancellationToken).ConfigureAwait(false);
            message.Response.ContentStream?.Dispose();
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            if (!TableIsMissing(message)) return;
            owner.RecreateAsync(table, async: false, message.CancellationToken).GetAwaiter().GetResult();
            message.Response.ContentStream?.Dispose();
            ProcessNext(message, pipeline);
        }

        private static bool TableIsMissing(HttpMessage message)
        {
            if (!message.HasResponse) return false;
            var response = message.Response;
            // Deleting the table itself: "not found" is that request's own answer, not a table to bring back.
            if (message.Request.Method == RequestMethod.Delete &&
                message.Request.Uri.Path.Contains("/Tables(", StringComparison.Ordinal)) return false;
            if (response.Status == 404)
            {
                return response.Headers.TryGetValue("x-ms-error-code", out var code) &&
                       string.Equals(code, StorageFailure.TableNotFoundCode, StringComparison.Ordinal);
            }
            // A batch transaction answers 202 with each operation's answer inside the multipart body.
            if (response.Status == 202 && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && response.ContentStream is { CanSeek: true })
            {
                var body = response.Content.ToString();
                return body.Contains(StorageFailure.TableNotFoundCode, StringComparison.Ordinal) &&
                       body.Contains(" 404 ", StringComparison.Ordinal);
            }
            return false;
        }
    }
}
