using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;

namespace Ayalon.Core.Storage;

/// <summary>
/// One provider answer body as received (after key redaction), kept so a cycle can be recomputed.
/// <see cref="AttemptId"/> is the final attempt's request tracking id; <see cref="ResponseTrackingId"/> the id the
/// provider echoed (it names the snapshot of every observation made from this answer) and <see cref="Target"/> what
/// the request was for (a section id or a bbox). Rows archived before those two columns existed read them as null.
/// </summary>
public sealed record RawResponse(
    string CycleId,
    string Provider,
    DateTimeOffset FetchedAtUtc,
    string AttemptId,
    int? HttpStatus,
    string Status,
    string RedactedUrl,
    byte[] Body,
    string? ResponseTrackingId = null,
    string? Target = null);

/// <summary>A stored body read back: decompressed and checked against its SHA-256.</summary>
public sealed record ArchivedResponse(RawResponse Response, string Sha256Hex);

/// <summary>One archived body of a day's partition: read back, or why it could not be (<see cref="Problem"/>).</summary>
public sealed record ArchivedRead(string PartitionKey, string RowKey, string CycleId, ArchivedResponse? Archived, string? Problem);

/// <summary>
/// The raw archive: bodies gzip-compressed with their SHA-256, partitioned by UTC day, kept for
/// <see cref="RetentionDays"/> days. A compressed body larger than one binary property (64 KiB) is split across
/// several, and one larger than a row holds (<see cref="ChunksPerRow"/> properties, well under the 1 MiB entity
/// limit) continues in part rows beside it (<c>{rowKey}~p001</c>, …): a HERE answer for the whole corridor can be
/// megabytes, and is archived whole or not at all. The head row says how many parts there are; a read checks them all
/// against the SHA-256.
/// </summary>
public sealed class RawResponseArchive(AyalonTables tables)
{
    public const int RetentionDays = 30;
    private const int ChunkBytes = 60 * 1024;
    public const int ChunksPerRow = 12;
    private const string PartSeparator = "~p";

    // A transaction's payload may be at most 4 MiB, and binary travels base64 (4/3): stay well below it.
    private const long MaxTransactionPayloadBytes = 3 * 1024 * 1024;

    public static string PartitionFor(DateTimeOffset utc) => "raw-" + utc.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public async Task StoreAsync(IReadOnlyList<RawResponse> responses, CancellationToken cancellationToken)
    {
        if (responses.Count == 0) return;
        var table = await tables.GetAsync(AyalonTables.RawResponses, cancellationToken).ConfigureAwait(false);
        foreach (var group in responses.GroupBy(r => PartitionFor(r.FetchedAtUtc)))
        {
            var rows = group.SelectMany(r => ToEntities(group.Key, r)).ToList();
            var batch = new List<TableTransactionAction>();
            long batchBytes = 0;
            foreach (var row in rows)
            {
                var rowBytes = PayloadBytes(row);
                if (batch.Count == 100 || (batch.Count > 0 && batchBytes + rowBytes > MaxTransactionPayloadBytes))
                {
                    await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
                    batch = [];
                    batchBytes = 0;
                }
                batch.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, row));
                batchBytes += rowBytes;
            }
            if (batch.Count > 0) await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One cycle's archived bodies.</summary>
    /// <remarks>
    /// No production caller (the audit reads whole days with <see cref="ReadDayAsync"/>): it stays so the collection
    /// tests read back what a cycle archived through the archive's own reader, not a copy of its row format.
    /// </remarks>
    public async Task<IReadOnlyList<ArchivedResponse>> ReadCycleAsync(string cycleId, DateTimeOffset dayUtc, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var e in QueryDayAsync(dayUtc, cancellationToken).ConfigureAwait(false))
        {
            if (e.GetString("CycleId") == cycleId) rows.Add(e);
        }
        return Assemble(rows);
    }

    /// <summary>
    /// Every body archived on one UTC day (of fetch), whatever its cycle, in one partition query: a cycle-by-cycle
    /// read would query the whole day once per cycle (288 times a day at the 5-minute cadence).
    /// </summary>
    /// <remarks>A body that cannot be read back (a part row missing, a SHA-256 mismatch) comes with its problem instead.</remarks>
    public async Task<IReadOnlyList<ArchivedRead>> ReadDayAsync(DateTimeOffset dayUtc, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var e in QueryDayAsync(dayUtc, cancellationToken).ConfigureAwait(false)) rows.Add(e);
        var parts = PartsByHead(rows);
        var result = new List<ArchivedRead>();
        foreach (var head in rows.Where(r => !r.RowKey.Contains(PartSeparator, StringComparison.Ordinal)))
        {
            var cycleId = head.GetString("CycleId") ?? "";
            try
            {
                result.Add(new ArchivedRead(head.PartitionKey, head.RowKey, cycleId,
                    FromEntities(head, parts[head.RowKey].OrderBy(p => p.RowKey, StringComparer.Ordinal).ToList()), null));
            }
            catch (InvalidDataException ex)
            {
                result.Add(new ArchivedRead(head.PartitionKey, head.RowKey, cycleId, null, ex.Message));
            }
        }
        return result;
    }

    private static ILookup<string, TableEntity> PartsByHead(List<TableEntity> rows) =>
        rows.Where(r => r.RowKey.Contains(PartSeparator, StringComparison.Ordinal))
            .ToLookup(r => r.RowKey[..r.RowKey.IndexOf(PartSeparator, StringComparison.Ordinal)], StringComparer.Ordinal);

    private async IAsyncEnumerable<TableEntity> QueryDayAsync(DateTimeOffset dayUtc,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.RawResponses, cancellationToken).ConfigureAwait(false);
        var partition = PartitionFor(dayUtc);
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    private static List<ArchivedResponse> Assemble(List<TableEntity> rows)
    {
        var parts = PartsByHead(rows);
        return rows.Where(r => !r.RowKey.Contains(PartSeparator, StringComparison.Ordinal))
            .Select(head => FromEntities(head, parts[head.RowKey].OrderBy(p => p.RowKey, StringComparer.Ordinal).ToList()))
            .ToList();
    }

    /// <summary>Deletes whole days older than the retention period. Returns the number of bodies removed.</summary>
    public async Task<int> DeleteExpiredAsync(DateTimeOffset nowUtc, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.RawResponses, cancellationToken).ConfigureAwait(false);
        var cutoff = PartitionFor(nowUtc.AddDays(-RetentionDays));
        var expired = new List<(string Pk, string Rk)>();
        await foreach (var e in table.QueryAsync<TableEntity>(
                           x => x.PartitionKey.CompareTo("raw-") >= 0 && x.PartitionKey.CompareTo(cutoff) < 0,
                           select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            expired.Add((e.PartitionKey, e.RowKey));
        }
        foreach (var partition in expired.GroupBy(e => e.Pk))
        {
            foreach (var chunk in partition.Chunk(100))
            {
                await table.SubmitTransactionAsync(
                    chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(k.Pk, k.Rk), ETag.All)),
                    cancellationToken).ConfigureAwait(false);
            }
        }
        return expired.Count;
    }

    private static IEnumerable<TableEntity> ToEntities(string partition, RawResponse r)
    {
        var chunks = Gzip(r.Body).Chunk(ChunkBytes).ToList();
        var rows = chunks.Chunk(ChunksPerRow).ToList();
        var rowKey = RowKeyFor(r);
        var head = new TableEntity(partition, rowKey)
        {
            ["CycleId"] = r.CycleId,
            ["Provider"] = r.Provider,
            ["FetchedAtUtc"] = r.FetchedAtUtc,
            ["AttemptId"] = r.AttemptId,
            ["HttpStatus"] = r.HttpStatus,
            ["Status"] = r.Status,
            ["RedactedUrl"] = r.RedactedUrl,
            ["ResponseTrackingId"] = r.ResponseTrackingId,
            ["Target"] = r.Target,
            ["Sha256"] = Convert.ToHexStringLower(SHA256.HashData(r.Body)),
            ["ContentLength"] = r.Body.Length,
            ["Encoding"] = "gzip",
            ["Parts"] = rows.Count,
        };
        for (var p = 0; p < rows.Count; p++)
        {
            var row = p == 0 ? head : new TableEntity(partition, rowKey + PartSeparator + p.ToString("000", CultureInfo.InvariantCulture))
            {
                ["CycleId"] = r.CycleId,
                ["Part"] = p,
            };
            row["Chunks"] = rows[p].Length;
            for (var i = 0; i < rows[p].Length; i++) row["Body" + i.ToString(CultureInfo.InvariantCulture)] = rows[p][i];
            yield return row;
        }
    }

    private static ArchivedResponse FromEntities(TableEntity e, IReadOnlyList<TableEntity> parts)
    {
        var expected = (e.GetInt32("Parts") ?? 1) - 1;
        if (parts.Count != expected)
        {
            throw new InvalidDataException($"Archived body {e.PartitionKey}/{e.RowKey} has {parts.Count} of its {expected} part rows.");
        }
        using var compressed = new MemoryStream();
        foreach (var row in parts.Prepend(e))
        {
            var count = row.GetInt32("Chunks") ?? 0;
            for (var i = 0; i < count; i++) compressed.Write(row.GetBinary("Body" + i.ToString(CultureInfo.InvariantCulture)));
        }
        var body = Gunzip(compressed.ToArray());
        var sha = e.GetString("Sha256") ?? "";
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(body)), sha, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Archived body {e.PartitionKey}/{e.RowKey} does not match its SHA-256.");
        }
        return new ArchivedResponse(new RawResponse(
            e.GetString("CycleId") ?? "",
            e.GetString("Provider") ?? "",
            e.GetDateTimeOffset("FetchedAtUtc") ?? default,
            e.GetString("AttemptId") ?? "",
            e.GetInt32("HttpStatus"),
            e.GetString("Status") ?? "",
            e.GetString("RedactedUrl") ?? "",
            body,
            e.GetString("ResponseTrackingId"),
            e.GetString("Target")), sha);
    }

    /// <summary>What a row weighs on the wire: its binary properties in base64 plus a generous allowance for the rest.</summary>
    private static long PayloadBytes(TableEntity row) =>
        2048 + row.Select(kv => kv.Value).OfType<byte[]>().Sum(b => (b.LongLength + 2) / 3 * 4);

    private static string RowKeyFor(RawResponse r) =>
        r.FetchedAtUtc.UtcDateTime.ToString("HHmmss.fff", CultureInfo.InvariantCulture) + "-" + r.AttemptId;

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
