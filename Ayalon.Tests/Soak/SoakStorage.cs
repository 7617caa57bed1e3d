using Ayalon.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace Ayalon.Tests.Soak;

/// <summary>
/// The soak's own reads of the app's tables: plain table clients that never create a table. The app's
/// <see cref="AyalonTables"/> creates tables on first use; an inspector that did so would re-create, behind the
/// app's back, the tables an in-memory storage restart took away, and hide whether the app recovers by itself.
/// </summary>
public sealed class SoakStorage(string connectionString, string tablePrefix)
{
    private readonly TableServiceClient _service = new(connectionString);

    /// <summary>Every entity of one app table; none when the table does not exist (yet, or any more).</summary>
    public async Task<IReadOnlyList<TableEntity>> ScanAsync(string table, string? partition = null)
    {
        var client = _service.GetTableClient(tablePrefix + table);
        var rows = new List<TableEntity>();
        try
        {
            var query = partition is null
                ? client.QueryAsync<TableEntity>()
                : client.QueryAsync<TableEntity>(e => e.PartitionKey == partition);
            await foreach (var e in query) rows.Add(e);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return [];
        }
        return rows;
    }

    /// <summary>Each section's latest observation time as the latest-state table holds it now.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LatestObservedAsync()
    {
        var rows = await ScanAsync(AyalonTables.LatestState, "latest");
        return rows.Where(e => !e.RowKey.StartsWith('_') && e.GetDateTimeOffset("ObservedAtUtc") is not null)
            .ToDictionary(e => e.RowKey, e => e.GetDateTimeOffset("ObservedAtUtc")!.Value, StringComparer.Ordinal);
    }

    /// <summary>Σ Reserved over every ledger row (every provider, every period).</summary>
    public async Task<IReadOnlyDictionary<string, int>> ReservedByProviderAsync()
    {
        var rows = await ScanAsync(AyalonTables.QuotaLedger);
        return rows.GroupBy(e => e.PartitionKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(e => e.GetInt32("Reserved") ?? 0), StringComparer.Ordinal);
    }
}
