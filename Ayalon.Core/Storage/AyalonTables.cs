using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ayalon.Core.Storage;

/// <summary>
/// The one place that knows the app's table names and hands out table clients. Every client comes from the one
/// <see cref="TableServiceClient"/> registered with <c>AddAzureClients</c> (<see cref="StorageRegistration"/>), so
/// they share its pipeline and the app's one credential. Tables are created on first use (idempotent), so a fresh
/// Azurite or storage account needs no set-up step, and created again when they disappear while the app runs (an
/// in-memory Azurite restarted): the pipeline re-creates a table on a TableNotFound answer and re-sends the request
/// once (<see cref="RecreateMissingTablePolicy"/>).
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
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task>> _recreating = new(StringComparer.Ordinal);

    public AyalonTables(TableServiceClient service, StorageOptions options, ILogger<AyalonTables> logger)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        _service = service;
        _prefix = options.TablePrefix;
        _logger = logger;
    }

    /// <summary>The table service client for <paramref name="storage"/>: a connection string, else the service URI with the app's credential.</summary>
    internal static TableServiceClient CreateServiceClient(StorageOptions storage, TableClientOptions options, TokenCredential credential)
    {
        if (!string.IsNullOrWhiteSpace(storage.ConnectionString)) return new TableServiceClient(storage.ConnectionString, options);
        if (storage.TableServiceUri is { } uri) return new TableServiceClient(uri, credential, options);
        throw new InvalidOperationException(
            "Storage is not configured: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__tableServiceUri.");
    }

    /// <summary>The pipeline every table request goes through: counted, retried briefly, a missing table re-created.</summary>
    internal static void ConfigurePipeline(TableClientOptions options, IServiceProvider services)
    {
        options.AddPolicy(services.GetRequiredService<TableOperationCounter>(), HttpPipelinePosition.PerRetry);
        // Per call, before the retry policy: a re-sent request is retried and counted like any other. The owner is
        // resolved when a table is found missing, not now: it is built from the client this pipeline belongs to.
        options.AddPolicy(new RecreateMissingTablePolicy(() => services.GetRequiredService<AyalonTables>()), HttpPipelinePosition.PerCall);
        // The SDK's default retry policy waits up to ~minutes while storage is down; a collection cycle must fail
        // loudly within seconds instead, and the next cycle tries again.
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }

    public string Prefix => _prefix;

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

    /// <summary>Tables that disappeared and were created again since start: logged as a warning each, and shown by health.</summary>
    public int TablesRecreated => Volatile.Read(ref _recreated);

    private int _recreated;

    private async Task<TableClient> CreateAsync(string table, CancellationToken cancellationToken)
    {
        var client = _service.GetTableClient(FullName(table));
        await client.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>
    /// The table answered "TableNotFound": it existed (the client was handed out after creating it) and is gone — an
    /// in-memory Azurite restarted, or someone deleted it. Create it again, once for all requests that hit the same
    /// failure at the same moment, and log it: data that was in it is gone, and the operator should know.
    /// </summary>
    internal Task RecreateAsync(string fullName, bool async, CancellationToken cancellationToken)
    {
        var lazy = _recreating.GetOrAdd(fullName, t => new Lazy<Task>(() => RecreateCoreAsync(t, async, cancellationToken)));
        return lazy.Value;
    }

    private async Task RecreateCoreAsync(string fullName, bool async, CancellationToken cancellationToken)
    {
        try
        {
            _logger.LogWarning("Table {Table} no longer exists in storage (TableNotFound); creating it again", fullName);
            var client = _service.GetTableClient(fullName);
            if (async) await client.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            else client.CreateIfNotExists(cancellationToken);
            Interlocked.Increment(ref _recreated);
        }
        finally
        {
            _recreating.TryRemove(fullName, out _);
        }
    }

    /// <summary>
    /// On a 404 TableNotFound answer (or a transaction whose answer carries one), re-create the table the request was
    /// for and send the request once more. Safe to repeat: storage refused the request without applying any of it.
    /// One policy serves every table (they share the service client's pipeline), so the table is read from the request:
    /// the path (<c>/{table}(PartitionKey=…,RowKey=…)</c>, <c>/{table}()</c>) or, for a transaction sent to
    /// <c>/$batch</c>, the first request line inside its body.
    /// </summary>
    private sealed class RecreateMissingTablePolicy(Func<AyalonTables> owner) : HttpPipelinePolicy
    {
        private static readonly Regex BatchRequestLine = new(@"^(?:GET|POST|PUT|PATCH|MERGE|DELETE) (\S+) HTTP/1\.1\r?$",
            RegexOptions.Multiline | RegexOptions.CultureInvariant);

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            if (!TableIsMissing(message) || TableOf(message) is not { } table) return;
            await owner().RecreateAsync(table, async: true, message.CancellationToken).ConfigureAwait(false);
            message.Response.ContentStream?.Dispose();
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            if (!TableIsMissing(message) || TableOf(message) is not { } table) return;
            owner().RecreateAsync(table, async: false, message.CancellationToken).GetAwaiter().GetResult();
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
            if (response.Status == 202 && IsBatch(message.Request.Uri.Path) && response.ContentStream is { CanSeek: true })
            {
                var body = response.Content.ToString();
                return body.Contains(StorageFailure.TableNotFoundCode, StringComparison.Ordinal) &&
                       body.Contains(" 404 ", StringComparison.Ordinal);
            }
            return false;
        }

        /// <summary>The full name of the table a request was for; null for service-level requests (<c>/Tables</c>).</summary>
        internal static string? TableOf(HttpMessage message)
        {
            var path = message.Request.Uri.Path;
            if (IsBatch(path))
            {
                if (message.Request.Content is not { } content) return null;
                using var buffer = new MemoryStream();
                content.WriteTo(buffer, message.CancellationToken);
                var inner = BatchRequestLine.Match(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                if (!inner.Success || !Uri.TryCreate(inner.Groups[1].Value, UriKind.Absolute, out var innerUri)) return null;
                path = innerUri.AbsolutePath;
            }
            return TableInPath(path);
        }

        private static bool IsBatch(string path) => path.EndsWith("$batch", StringComparison.Ordinal);

        private static string? TableInPath(string path)
        {
            var entityKeys = path.IndexOf('(', StringComparison.Ordinal);
            var resource = (entityKeys >= 0 ? path[..entityKeys] : path).TrimEnd('/');
            var table = Uri.UnescapeDataString(resource[(resource.LastIndexOf('/') + 1)..]);
            return table.Length == 0 || table == "Tables" ? null : table;
        }
    }
}
