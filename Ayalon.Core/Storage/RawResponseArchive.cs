using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;

namespace Ayalon.Core.Storage;

/// <summary>One provider answer body as received (after key redaction), kept so a cycle can be recomputed.</summary>
public sealed record RawResponse(
    string CycleId,
    string Provider,
    DateTimeOffset FetchedAtUtc,
    string AttemptId,
    int? HttpStatus,
    string Status,
    string RedactedUrl,
    byte[] Body);

/// <summary>A stored body read back: decompressed and checked against its SHA-256.</summary>
public sealed record ArchivedResponse(RawResponse Response, string Sha256Hex);

/// <summary>
/// The raw archive: bodies gzip-compressed with their SHA-256, partitioned by UTC day, kept for
/// <see cref="RetentionDays"/> days. A body larger than one binary property (64 KiB) is split across several.
/// </summary>
public sealed class RawResponseArchive(AyalonTables tables)
{
    public const int RetentionDays = 30;
    private const int ChunkBytes = 60 * 1024;
    private const int MaxChunks = 14; // stays well under the 1 MiB entity limit

    public static string PartitionFor(DateTimeOffset utc) => "raw-" + utc.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public async Task StoreAsync(IReadOnlyList<RawResponse> responses, CancellationToken cancellationToken)
    {
        if (responses.Count == 0) return;
        var table = await tables.GetAsync(AyalonTables.RawResponses, cancellationToken).ConfigureAwait(false);
        foreach (var group in responses.GroupBy(r => PartitionFor(r.FetchedAtUtc)))
        {
            var actions = group.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(group.Key, r))).ToList();
            foreach (var chunk in actions.Chunk(100))
            {
                await table.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<IReadOnlyList<ArchivedResponse>> ReadCycleAsync(string cycleId, DateTimeOffset dayUtc, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(AyalonTables.RawResponses, cancellationToken).ConfigureAwait(false);
        var partition = PartitionFor(dayUtc);
        var result = new List<ArchivedResponse>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (e.GetString("CycleId") != cycleId) continue;
            result.Add(FromEntity(e));
        }
        return result;
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

    private static TableEntity ToEntity(string partition, RawResponse r)
    {
        var compressed = Gzip(r.Body);
        var e = new TableEntity(partition, RowKeyFor(r))
        {
            ["CycleId"] = r.CycleId,
            ["Provider"] = r.Provider,
            ["FetchedAtUtc"] = r.FetchedAtUtc,
            ["AttemptId"] = r.AttemptId,
            ["HttpStatus"] = r.HttpStatus,
            ["Status"] = r.Status,
            ["RedactedUrl"] = r.RedactedUrl,
            ["Sha256"] = Convert.ToHexStringLower(SHA256.HashData(r.Body)),
            ["ContentLength"] = r.Body.Length,
            ["Encoding"] = "gzip",
        };
        var chunks = compressed.Chunk(ChunkBytes).ToList();
        if (chunks.Count > MaxChunks)
        {
            // Refuse rather than truncate: an archive entry must be the whole body or nothing.
            throw new InvalidOperationException(FormattableString.Invariant(
                $"Provider body of {r.Body.Length} bytes ({compressed.Length} compressed) is too large to archive."));
        }
        e["Chunks"] = chunks.Count;
        for (var i = 0; i < chunks.Count; i++) e["Body" + i.ToString(CultureInfo.InvariantCulture)] = chunks[i];
        return e;
    }

    private static ArchivedResponse FromEntity(TableEntity e)
    {
        var count = e.GetInt32("Chunks") ?? 0;
        using var compressed = new MemoryStream();
        for (var i = 0; i < count; i++) compressed.Write(e.GetBinary("Body" + i.ToString(CultureInfo.InvariantCulture)));
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
            body), sha);
    }

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
