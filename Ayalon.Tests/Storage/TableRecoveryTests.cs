using Ayalon.Tests.Infrastructure;
using System.Net;
using System.Text.Json;
using Ayalon.Core.Storage;
using Ayalon.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Storage;

/// <summary>
/// Storage that comes back empty (an in-memory Azurite restarted) or answers with an error: the app re-creates the
/// tables it lost on next use and health says which of "no answer" and "an error answer" it saw.
/// </summary>
[Trait("Category", "Integration")]
public class TableRecoveryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static JsonElement Check(JsonElement health, string name) =>
        health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static async Task<(HttpStatusCode Code, JsonElement Body)> HealthAsync(ApiHost api)
    {
        using var response = await api.Client.GetAsync("/api/health");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    [Fact]
    public async Task After_an_in_memory_Azurite_restart_the_tables_are_created_again_and_the_read_side_answers()
    {
        await using var storage = await AzuriteProcess.StartAsync();
        await using var api = await ApiHost.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage.ConnectionString,
        });
        await api.RunCycleAsync();
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(api)).Code);

        await storage.StopAsync();
        var (downCode, down) = await HealthAsync(api);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, downCode);
        Assert.Equal("table storage unreachable (no answer)", Check(down, "storage").GetProperty("detail").GetString());

        await storage.StartAsync(); // same port, nothing stored: every table is gone
        var (emptyCode, empty) = await HealthAsync(api);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, emptyCode);
        Assert.Equal("empty", empty.GetProperty("status").GetString()); // storage answers; it holds nothing
        // Reachable, but the operator sees that tables vanished with their rows (here: those health itself reads).
        Assert.Equal("warning", Check(empty, "storage").GetProperty("status").GetString());
        Assert.Matches("^table storage reachable; [1-7] table\\(s\\) disappeared and were created again since the app started",
            Check(empty, "storage").GetProperty("detail").GetString());

        // Every read endpoint answers again, from the re-created (empty) tables.
        foreach (var path in new[] { "/api/impact", "/api/impact/history", "/api/analytics" })
        {
            using var response = await api.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        api.Clock.Advance(TimeSpan.FromMinutes(1)); // past the impact snapshot's freshness: it re-reads storage
        Assert.Equal("empty", (await api.GetJsonAsync("/api/impact")).GetProperty("dataStatus").GetString());
        Assert.InRange(api.Services.GetRequiredService<AyalonTables>().TablesRecreated, 2, 7);
    }

    [Fact]
    public async Task A_table_deleted_under_a_store_is_recreated_once_and_the_batch_write_goes_through()
    {
        var options = azurite.NewStorageOptions();
        var tables = TestTables.Open(options);
        var store = new ObservationStore(tables);
        var at = new DateTimeOffset(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);
        StoredObservation Observation(string section, string snapshot) => new(section, "northbound", at, snapshot, "ok", 1, 60, 50, 10, 80, 90,
            false, "p1", "t1", "here", "c1", "2", "2");
        await store.WriteAsync([Observation("a", "s1")], default);

        var inspect = TestTables.Service(options);
        await inspect.DeleteTableAsync(tables.FullName(AyalonTables.Observations));
        await store.WriteAsync([Observation("a", "s2"), Observation("b", "s3")], default);

        Assert.Equal(1, tables.TablesRecreated);
        var rows = await store.ReadAsync(at, at.AddSeconds(1), null, default);
        Assert.Equal(["s2", "s3"], rows.Select(r => r.SnapshotId).Order(StringComparer.Ordinal));

        // A read of a table that vanished answers empty (from the re-created table), not 404 for ever.
        await inspect.DeleteTableAsync(tables.FullName(AyalonTables.Observations));
        Assert.Empty(await store.ReadAsync(at, at.AddSeconds(1), null, default));
        Assert.Equal(2, tables.TablesRecreated);
    }

    [Fact]
    public async Task Storage_that_answers_with_an_error_is_not_called_unreachable()
    {
        // Azurite's endpoint with a key it does not know: every request is answered 403.
        var wrongKey = azurite.ConnectionString.Replace("AccountKey=", "AccountKey=AAAA", StringComparison.Ordinal);
        await using var api = await ApiHost.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = wrongKey,
        });

        var (code, h) = await HealthAsync(api);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Equal("error", h.GetProperty("status").GetString());
        var detail = Check(h, "storage").GetProperty("detail").GetString()!;
        Assert.StartsWith("table storage answered with an error (HTTP 403", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", h.GetRawText(), StringComparison.Ordinal);
    }
}
