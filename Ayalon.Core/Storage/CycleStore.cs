using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace Ayalon.Core.Storage;

public static class CycleStatus
{
    public const string Ok = "ok";
    public const string Partial = "partial";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

/// <summary>One HTTP attempt at the provider, as recorded: the URL without the key, never exception text.</summary>
public sealed record AttemptRecord(
    string SectionId,
    string Status,
    int? HttpStatus,
    string RedactedUrl,
    double ElapsedMs,
    string? RequestTrackingId,
    string? ResponseTrackingId,
    string? Detail,
    DateTimeOffset StartedAtUtc,
    string? Provider = null);

/// <summary>How one provider fared in a cycle (several when the first left sections unmeasured and the next was asked).</summary>
public sealed record ProviderOutcome(string Provider, string Status, int RequestsUsed, int SectionsMeasured, string? Detail);

/// <summary>
/// The record of one collection cycle. <see cref="Provider"/> and <see cref="ProviderStatus"/> name the provider that
/// measured the most sections (else the first asked); <see cref="Providers"/> lists every provider asked, in order.
/// </summary>
public sealed record CycleRecord(
    string CycleId,
    string Trigger,
    DateTimeOffset StartedAtUtc,
    DateTimeOffset FinishedAtUtc,
    string Status,
    string ProviderStatus,
    string Provider,
    int RequestsUsed,
    int SectionsMeasured,
    int SectionsTotal,
    int ObservationsStored,
    int DuplicateObservations,
    int DroppedLowConfidence,
    IReadOnlyList<AttemptRecord> Attempts,
    string? Message,
    string MethodologyVersion,
    IReadOnlyList<ProviderOutcome>? Providers = null)
{
    /// <summary>
    /// Sections whose new data was not newer than what the latest state already held (an overtaken cycle): not
    /// stored, so the latest state and the rollups only ever move forward in observation time.
    /// </summary>
    public int SupersededObservations { get; init; }

    public double DurationMs => (FinishedAtUtc - StartedAtUtc).TotalMilliseconds;
}

/// <summary>Cycle records, partitioned by UTC day of start, ordered by start time within the day.</summary>
public sealed class CycleStore(AyalonTables tables)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string PartitionFor(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string RowKeyFor(CycleRecord cycle) =>
        cycle.StartedAtUtc.UtcDateTime.ToString("HHmmss.fffffff", CultureInfo.InvariantCulture) + "-" + cycle.CycleId;

    public async Task WriteAsync(CycleRecord cycle, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.Cycles, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(PartitionFor(cycle.StartedAtUtc), RowKeyFor(cycle))
        {
            ["CycleId"] = cycle.CycleId,
            ["StartedAtUtc"] = cycle.StartedAtUtc,
            ["Status"] = cycle.Status,
            ["ProviderStatus"] = cycle.ProviderStatus,
            ["RequestsUsed"] = cycle.RequestsUsed,
            ["DurationMs"] = cycle.DurationMs,
            ["Json"] = JsonSerializer.Serialize(cycle, Json),
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cycles that started in [from, to), in start order.</summary>
    public async Task<IReadOnlyList<CycleRecord>> ReadAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.Cycles, cancellationToken).ConfigureAwait(false);
        var from = PartitionFor(fromUtc);
        var to = PartitionFor(toUtc);
        var result = new List<CycleRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(
                           x => x.PartitionKey.CompareTo(from) >= 0 && x.PartitionKey.CompareTo(to) <= 0,
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (e.GetString("Json") is not { } json) continue;
            var cycle = JsonSerializer.Deserialize<CycleRecord>(json, Json);
            if (cycle is null || cycle.StartedAtUtc < fromUtc || cycle.StartedAtUtc >= toUtc) continue;
            result.Add(cycle);
        }
        result.Sort((a, b) => a.StartedAtUtc.CompareTo(b.StartedAtUtc));
        return result;
    }

    /// <summary>
    /// When the first recorded cycle started, or null before any: one row read (a table query returns rows in
    /// partition and row key order, which here is start order).
    /// </summary>
    public async Task<DateTimeOffset?> ReadFirstStartAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.Cycles, cancellationToken).ConfigureAwait(false);
        await foreach (var e in table.QueryAsync<TableEntity>(filter: (string?)null, maxPerPage: 1, select: ["StartedAtUtc"],
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return e.GetDateTimeOffset("StartedAtUtc");
        }
        return null;
    }
}
