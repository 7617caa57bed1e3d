using System.Net;
using Ayalon.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Api;

/// <summary>
/// History under repeated and concurrent requests: settled days of observations are read from storage once, and
/// identical requests share one rendered answer until the next cycle could change it.
/// </summary>
[Trait("Category", "Integration")]
public class HistorySharingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string FiveMinutes = "/api/impact/history?granularity=5m&from=2026-11-23T10:00:00Z&to=2026-11-23T11:10:00Z";

    [Fact]
    public async Task Identical_requests_share_one_answer_and_settled_days_are_not_read_again()
    {
        await using var api = await ApiHost.StartAsync(azurite);
        await api.RunCyclesAsync(13, TimeSpan.FromMinutes(5));
        api.Clock.Advance(TimeSpan.FromDays(2)); // 23 November is settled now
        var operations = api.Services.GetRequiredService<TableOperationCounter>();

        var before = operations.Count;
        var (etag, body) = await GetAsync(api, FiveMinutes);
        var afterFirst = operations.Count;
        Assert.True(afterFirst > before, "the first request reads storage");

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => GetAsync(api, FiveMinutes)));
        Assert.All(concurrent, r => Assert.Equal((etag, body), r));
        Assert.Equal(afterFirst, operations.Count); // shared: no request read storage again

        // Past the sharing time the answer is rendered again, from the settled day kept in memory.
        api.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal((etag, body), await GetAsync(api, FiveMinutes));
        Assert.Equal(afterFirst, operations.Count);

        // CSV of the same buckets: the same figures, rendered line by line.
        using var csv = await api.Client.GetAsync(FiveMinutes + "&format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal(1 + 2 * 14, lines.Length); // header + two directions × 14 five-minute buckets
    }

    private static async Task<(string ETag, string Body)> GetAsync(ApiHost api, string path)
    {
        using var response = await api.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response.Headers.ETag!.Tag, await response.Content.ReadAsStringAsync());
    }
}
