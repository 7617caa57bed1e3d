using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.Core.ReadModels;
using Ayalon.Core.Storage;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Benchmarks.Timed;

/// <summary>
/// GET /api/impact/history?granularity=hour over 90 days: 90 × 24 hourly rollup entities for all six sections,
/// written in the collector's own entity format (25,920 real cycles would take most of an hour), then the request
/// once cold (every hour read from storage: the start-up warm-up is off, since the hours are written into the past
/// after start) and <c>runs</c> times warm. Target (docs/BENCHMARKS.md): 200 ms warm.
/// </summary>
public static class HistoryTiming
{
    public static async Task<int> RunAsync(int runs)
    {
        var end = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
        var start = end.AddDays(-90);
        await using var host = await TimedHost.StartAsync(end, new Dictionary<string, string?> { [RollupCacheWarmup.EnabledSetting] = "false" });
        var corridor = host.Services.GetRequiredService<CorridorDefinition>();
        var table = await host.Services.GetRequiredService<AyalonTables>().GetAsync(AyalonTables.HourlyRollups);

        var entities = new List<TableEntity>();
        for (var h = start; h < end; h = h.AddHours(1))
        {
            var e = new TableEntity(RollupStore.PartitionFor(h), RollupStore.RowKeyFor(h)) { ["HourStartUtc"] = h };
            foreach (var s in corridor.Sections)
            {
                var p = RollupStore.Prefix(s.Id);
                var delay = 5 + 30 * Math.Max(0, Math.Sin((h.Hour - 3) / 24.0 * 2 * Math.PI));
                e[p + "ObservedSeconds"] = 3600.0;
                e[p + "DelayIntegral"] = delay * 3600;
                e[p + "VehicleDelaySeconds"] = delay * 3600 * 4000 / 3600;
                e[p + "CongestedSeconds"] = delay > 25 ? 3600.0 : 0.0;
                e[p + "MinDelaySeconds"] = delay;
                e[p + "MaxDelaySeconds"] = delay;
                e[p + "HeldUntilUtc"] = h.AddHours(1);
            }
            entities.Add(e);
        }
        foreach (var partition in entities.GroupBy(e => e.PartitionKey))
        {
            foreach (var chunk in partition.Chunk(100))
            {
                await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)));
            }
        }

        var url = "/api/impact/history?granularity=hour&from=" + start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) +
                  "&to=" + end.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var cold = Stopwatch.StartNew();
        using (var first = await host.Client.GetAsync(url))
        {
            if (first.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"history answered {(int)first.StatusCode}");
        }
        var coldMs = cold.Elapsed.TotalMilliseconds;

        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            using var response = await host.Client.GetAsync(url);
            var body = await response.Content.ReadAsByteArrayAsync();
            times.Add(sw.Elapsed.TotalMilliseconds);
            bytes = body.Length;
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.GetProperty("series").EnumerateArray().Any(s => s.GetProperty("points").GetArrayLength() != 90 * 24))
                throw new InvalidOperationException("history did not answer 2,160 points per series");
        }
        times.Sort();
        Console.WriteLine(FormattableString.Invariant(
            $"history hour × 90 days ({bytes:N0} bytes): first (cold) {coldMs:0} ms; then median {times[times.Count / 2]:0} ms, best {times[0]:0} ms, worst {times[^1]:0} ms over {runs}; load {TimedHost.LoadAverage()}"));
        return 0;
    }
}
