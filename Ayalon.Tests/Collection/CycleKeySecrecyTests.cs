using Ayalon.Tests.Infrastructure;
using System.Net;
using System.Text;
using System.Text.Json;
using Ayalon.Core.Storage;
using Ayalon.DevHost.Simulator;
using Ayalon.Tests.Traffic;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ayalon.Tests.Collection;

/// <summary>
/// The provider key, through the whole app (DevHost, real cycle, Azurite, simulator requiring that key), must not
/// reach any log line of any category and level, any cycle record, any stored row or archived body, or any HTTP
/// response — also when the provider's error body echoes the request URL, key included.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CycleKeySecrecyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Canary = "CANARY-0123456789abcdef";

    /// <param name="provider">The only provider asked (<c>Traffic__Providers</c>), given the canary as its key.</param>
    [Theory]
    [InlineData("tomtom")]
    [InlineData("here")]
    public async Task The_key_appears_in_no_log_record_stored_row_archived_body_or_response_even_when_the_provider_echoes_it(
        string provider)
    {
        await using var simulator = await CycleSimulator.StartAsync(key: Canary);
        var logs = new LogCapture();
        var settings = new Dictionary<string, string?>
        {
            ["Traffic:Providers"] = provider,
            ["Collector:MinIntervalSeconds"] = "0",
            // Each fault below must reach the provider: no outage backoff between them.
            ["Collector:ProviderBackoffMaxMinutes"] = "0",
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:Console:LogLevel:Default"] = "None",
        };
        var section = provider == "here" ? "Here" : "TomTom";
        settings[$"{section}:ApiKey"] = Canary;
        settings[$"{section}:BaseUrl"] = simulator.BaseUrl.ToString().TrimEnd('/');
        settings[$"{section}:TimeoutSeconds"] = "1";
        settings[$"{section}:RetryDelayMilliseconds"] = "0";
        await using var host = await DevHostInstance.StartAsync(azurite, settings, services => services.AddSingleton<ILoggerProvider>(logs));
        Assert.Null(host.Simulator); // the app talks to the test's simulator, which refuses any other key
        var responses = new List<string>();

        async Task<JsonElement> CollectAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/collect");
            request.Headers.Add("x-functions-key", DevHostInstance.FunctionKey);
            using var response = await host.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            responses.Add(response.Headers + "\n" + response.Content.Headers + "\n" + body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.Clone();
        }

        // Act: a good cycle, provider errors that echo the URL with the key (500: retried; 400: not), a timeout.
        var ok = await CollectAsync();
        simulator.Faults.Set(new SimulatorFault(FaultKind.EchoUrlError, StatusCode: 500));
        var echo500 = await CollectAsync();
        simulator.Faults.Set(new SimulatorFault(FaultKind.EchoUrlError, StatusCode: 400));
        var echo400 = await CollectAsync();
        simulator.Faults.Set(FaultKind.Timeout, count: 2);
        var timeout = await CollectAsync();
        foreach (var path in new[] { "/api/impact", "/api/health" })
        {
            using var response = await host.Client.GetAsync(path);
            responses.Add(response.Headers + "\n" + response.Content.Headers + "\n" + await response.Content.ReadAsStringAsync());
        }

        // The key really was sent (the simulator answers only to it), and the echoes really happened.
        Assert.Equal("ok", ok.GetProperty("status").GetString());
        Assert.Equal("http_error", echo500.GetProperty("providerStatus").GetString());
        Assert.All(echo500.GetProperty("attempts").EnumerateArray(), a => Assert.Equal(500, a.GetProperty("httpStatus").GetInt32()));
        Assert.Equal(2, echo500.GetProperty("requestsUsed").GetInt32()); // one request and its retry, then the turn ends
        Assert.Equal(provider, ok.GetProperty("provider").GetString());
        Assert.Equal("http_error", echo400.GetProperty("providerStatus").GetString());
        Assert.All(echo400.GetProperty("attempts").EnumerateArray(), a => Assert.Equal(400, a.GetProperty("httpStatus").GetInt32()));
        Assert.Contains(timeout.GetProperty("attempts").EnumerateArray(), a => a.GetProperty("detail").GetString() == "timeout");
        Assert.All(simulator.RecentRequests, r => Assert.True(r.KeyPresent));
        Assert.Equal(0, simulator.RecentRequests.Count(r => r.Outcome == "forbidden:wrong_key"));

        // HTTP responses.
        Assert.Equal(6, responses.Count);
        Assert.All(responses, r => Assert.DoesNotContain(Canary, r, StringComparison.Ordinal));
        Assert.Contains(responses, r => r.Contains("key=***", StringComparison.OrdinalIgnoreCase));

        // Every row of every table, and every archived body read back (decompressed, hash-checked).
        var storage = host.Services.GetRequiredService<StorageOptions>();
        var inspect = TestTables.Open(storage);
        var stored = new StringBuilder();
        foreach (var table in new[]
                 {
                     AyalonTables.QuotaLedger, AyalonTables.CycleLeases, AyalonTables.Cycles, AyalonTables.Observations,
                     AyalonTables.RawResponses, AyalonTables.HourlyRollups, AyalonTables.LatestState,
                 })
        {
            await foreach (var e in (await inspect.GetAsync(table)).QueryAsync<TableEntity>())
            {
                foreach (var (name, value) in e) stored.Append(table).Append(' ').Append(name).Append('=').Append(value).Append('\n');
            }
        }
        var cycles = await new CycleStore(inspect).ReadAsync(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), default);
        Assert.Equal(4, cycles.Count);
        var archived = new List<ArchivedResponse>();
        foreach (var c in cycles)
        {
            stored.Append(JsonSerializer.Serialize(c)).Append('\n');
            archived.AddRange(await new RawResponseArchive(inspect).ReadCycleAsync(c.CycleId, c.StartedAtUtc, default));
        }
        var bodies = archived.Select(a => Encoding.UTF8.GetString(a.Response.Body)).ToList();
        Assert.Contains(bodies, b => b.Contains("Invalid request: ", StringComparison.Ordinal) && b.Contains("key=***", StringComparison.OrdinalIgnoreCase));
        Assert.All(bodies, b => Assert.DoesNotContain(Canary, b, StringComparison.Ordinal));
        Assert.All(archived, a => Assert.DoesNotContain(Canary, a.Response.RedactedUrl, StringComparison.Ordinal));
        Assert.DoesNotContain(Canary, stored.ToString(), StringComparison.Ordinal);

        // Every log line of every category at every level (scopes, structured values, exceptions included).
        var lines = logs.Lines;
        Assert.Contains(lines, l => l.Level == LogLevel.Trace || l.Level == LogLevel.Debug); // Trace really captured
        Assert.Contains(lines, l => l.Category.StartsWith("Ayalon.Core.Traffic", StringComparison.Ordinal) && l.Text.Contains("key=***", StringComparison.OrdinalIgnoreCase));
        Assert.All(lines, l => Assert.DoesNotContain(Canary, l.Text, StringComparison.Ordinal));
    }
}
