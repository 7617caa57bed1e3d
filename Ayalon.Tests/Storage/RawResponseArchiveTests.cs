using System.Security.Cryptography;
using Ayalon.Core.Storage;
using Azure.Data.Tables;

namespace Ayalon.Tests.Storage;

/// <summary>The raw archive keeps provider bodies whole, however large, in Azurite.</summary>
[Trait("Category", "Integration")]
public sealed class RawResponseArchiveTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 7, 0, 0, TimeSpan.Zero);

    private static RawResponse Body(string cycleId, string attempt, byte[] body) =>
        new(cycleId, "here", At, attempt, 200, "ok", "https://data.traffic.hereapi.com/v7/flow?in=bbox:1,2,3,4&apiKey=***", body);

    /// <summary>Random bytes do not compress: the worst case for the archive's size limits.</summary>
    private static byte[] Incompressible(int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Theory]
    [InlineData(2 * 1024 * 1024)] // a HERE answer for a large bbox: 2 MB, spread over part rows
    [InlineData(700_000)] // just under one row
    [InlineData(12)]
    public async Task A_body_of_any_size_is_archived_whole_and_reads_back_identical(int size)
    {
        var tables = azurite.NewTables();
        var archive = new RawResponseArchive(tables);
        var body = Incompressible(size, size);

        await archive.StoreAsync([Body("c1", "a1", body)], default);
        var read = Assert.Single(await archive.ReadCycleAsync("c1", At, default));

        Assert.Equal(body, read.Response.Body);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), read.Sha256Hex);
    }

    [Fact]
    public async Task Several_large_bodies_of_one_cycle_are_written_in_transactions_the_service_accepts()
    {
        var tables = azurite.NewTables();
        var archive = new RawResponseArchive(tables);
        var bodies = Enumerable.Range(0, 3).Select(i => Incompressible(1_500_000, i)).ToList();

        await archive.StoreAsync(bodies.Select((b, i) => Body("c2", "a" + i, b)).ToList(), default);
        var read = await archive.ReadCycleAsync("c2", At, default);

        Assert.Equal(3, read.Count);
        Assert.All(bodies, b => Assert.Contains(read, r => r.Response.Body.AsSpan().SequenceEqual(b)));
    }

    [Fact]
    public async Task A_missing_part_row_is_reported_not_read_as_a_shorter_body()
    {
        var tables = azurite.NewTables();
        var archive = new RawResponseArchive(tables);
        await archive.StoreAsync([Body("c3", "a1", Incompressible(2 * 1024 * 1024, 3))], default);
        var table = await tables.GetAsync(AyalonTables.RawResponses);
        var part = table.Query<TableEntity>().First(e => e.RowKey.Contains("~p", StringComparison.Ordinal));
        await table.DeleteEntityAsync(part.PartitionKey, part.RowKey);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => archive.ReadCycleAsync("c3", At, default));
        Assert.Contains("part rows", error.Message, StringComparison.Ordinal);
    }
}
