using System.Net;
using System.Text.Json;
using Ayalon.Core.Quota;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Api;

[Trait("Category", "Integration")]
public class HealthEndpointTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static async Task<(HttpStatusCode Code, JsonElement Body)> HealthAsync(ApiHost api)
    {
        using var response = await api.Client.GetAsync("/api/health");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    private static JsonElement Check(JsonElement health, string name) =>
        health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Empty_before_any_cycle_is_503_with_every_check_listed()
    {
        await using var api = await ApiHost.StartAsync(azurite);

        var (code, h) = await HealthAsync(api);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Equal("empty", h.GetProperty("status").GetString());
        Assert.Equal(["collector", "configuration", "freshness", "provider", "quota", "storage"],
            h.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).Order().ToArray());
        Assert.Equal("ok", Check(h, "storage").GetProperty("status").GetString());
        Assert.Equal("ok", Check(h, "configuration").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, h.GetProperty("lastCycle").ValueKind);
        Assert.Equal(JsonValueKind.Null, h.GetProperty("dataAgeSeconds").ValueKind);
        Assert.Equal([0, 0], h.GetProperty("quotas").EnumerateArray().Select(q => q.GetProperty("used").GetInt32()));
        Assert.Equal("empty", (await api.GetJsonAsync("/api/impact")).GetProperty("dataStatus").GetString());
    }

    [Fact]
    public async Task Health_follows_the_age_of_the_newest_observation_healthy_degraded_stale_collector_down()
    {
        await using var api = await ApiHost.StartAsync(azurite);
        var simulatorRequests = api.Host.Simulator!.RequestCount;
        await api.RunCycleAsync();
        var afterCycle = api.Host.Simulator.RequestCount;
        Assert.True(afterCycle > simulatorRequests);

        (double AdvanceSeconds, string Status, HttpStatusCode Code)[] steps =
        [
            (0, "healthy", HttpStatusCode.OK),
            (599, "healthy", HttpStatusCode.OK),
            (1, "degraded", HttpStatusCode.OK),          // 600 s
            (1199, "degraded", HttpStatusCode.OK),       // 1799 s
            (1, "stale", HttpStatusCode.ServiceUnavailable),           // 1800 s
            (5400, "collector_down", HttpStatusCode.ServiceUnavailable), // 7200 s
        ];
        foreach (var (advance, status, expectedCode) in steps)
        {
            api.Clock.Advance(TimeSpan.FromSeconds(advance));
            var (code, h) = await HealthAsync(api);
            Assert.Equal(status, h.GetProperty("status").GetString());
            Assert.Equal(expectedCode, code);
            Assert.Equal("ok", Check(h, "storage").GetProperty("status").GetString());
            Assert.Equal("ok", h.GetProperty("lastCycle").GetProperty("status").GetString());
            // /api/impact's dataStatus follows the same rule (its snapshot is rebuilt once older than a few seconds).
            if (advance is 0 or >= 30) Assert.Equal(status, (await api.GetJsonAsync("/api/impact")).GetProperty("dataStatus").GetString());
        }

        var (_, last) = await HealthAsync(api);
        Assert.Equal("error", Check(last, "freshness").GetProperty("status").GetString());
        Assert.Equal("error", Check(last, "collector").GetProperty("status").GetString()); // no cycle for 2 hours
        Assert.Equal(7200, last.GetProperty("dataAgeSeconds").GetDouble());
        // Health never calls the provider.
        Assert.Equal(afterCycle, api.Host.Simulator.RequestCount);
    }

    [Fact]
    public async Task Provider_without_coverage_is_reported_in_plain_words()
    {
        await using var api = await ApiHost.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["DevHost:SimulatorOptions:Fault"] = "no_coverage",
        });
        var cycle = await api.RunCycleAsync();
        Assert.Equal("no_coverage", cycle.ProviderStatus);

        var (code, h) = await HealthAsync(api);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Equal("empty", h.GetProperty("status").GetString());
        var provider = Check(h, "provider");
        Assert.Equal("error", provider.GetProperty("status").GetString());
        Assert.Contains("provider has no coverage for this corridor", provider.GetProperty("detail").GetString());
        Assert.Equal("no_coverage", h.GetProperty("lastCycle").GetProperty("providerStatus").GetString());
        Assert.Equal("failed", h.GetProperty("lastCycle").GetProperty("status").GetString());

        var traffic = (await api.GetJsonAsync("/api/impact")).GetProperty("sources").GetProperty("traffic");
        Assert.Equal("no_coverage", traffic.GetProperty("status").GetString());
        Assert.Equal("provider has no coverage for this corridor", traffic.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Quotas_are_listed_per_provider_in_the_configured_order_each_with_its_own_period_and_pace()
    {
        await using var api = await ApiHost.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Traffic:Providers"] = "tomtom,here",
            ["Quota:Limit"] = "100",
            ["Quota:Providers:here:Limit"] = "2000",
            ["Quota:Providers:here:Period"] = "Month",
        });
        await api.RunCycleAsync(); // the simulator answers as TomTom
        var ledger = api.Services.GetRequiredService<QuotaLedger>();
        Assert.True((await ledger.TryReserveAsync("here", 1000, default)).Granted);

        var (_, h) = await HealthAsync(api);
        var a = await api.GetJsonAsync("/api/analytics");

        var quotas = h.GetProperty("quotas").EnumerateArray().ToList();
        Assert.Equal(["tomtom", "here"], quotas.Select(q => q.GetProperty("provider").GetString()));
        var tomtom = quotas[0];
        Assert.Equal(("day-2026-11-23", "day", 100, false), (tomtom.GetProperty("period").GetString(), tomtom.GetProperty("periodUnit").GetString(),
            tomtom.GetProperty("limit").GetInt32(), tomtom.GetProperty("pacing").GetBoolean()));
        Assert.True(tomtom.GetProperty("used").GetInt32() > 0);
        var here = quotas[1];
        Assert.Equal(("month-2026-11", "month", 2000, true, 1000), (here.GetProperty("period").GetString(), here.GetProperty("periodUnit").GetString(),
            here.GetProperty("limit").GetInt32(), here.GetProperty("pacing").GetBoolean(), here.GetProperty("used").GetInt32()));
        Assert.Equal("2026-12-01T00:00:00.000Z", here.GetProperty("periodEndUtc").GetString());
        // The pace at the instant health answered (about 22.5 of November's 30 days): 20 + floor(1981 · f), and 1,000 / f.
        var f = (h.GetProperty("checkedAtUtc").GetDateTimeOffset() - new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)) / TimeSpan.FromDays(30);
        Assert.InRange(f, 0.74, 0.76);
        var allowed = 20 + (int)Math.Floor(1981 * f);
        Assert.Equal(allowed, here.GetProperty("allowedByNow").GetInt32());
        Assert.Equal((int)Math.Round(1000 / f), here.GetProperty("projectedAtPeriodEnd").GetInt32());
        Assert.Equal(1296.0, here.GetProperty("pacedIntervalSeconds").GetDouble());            // 30 days / 2,000
        Assert.Equal(h.GetProperty("quotas").GetRawText(), a.GetProperty("quotas").GetRawText());
        var check = Check(h, "quota").GetProperty("detail").GetString()!;
        Assert.Contains("tomtom: ", check, StringComparison.Ordinal);
        Assert.Contains($"here: 1000 of 2000 requests used in month-2026-11 (50%), paced: {allowed} allowed by now", check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unresolved_Key_Vault_reference_fails_the_configuration_check()
    {
        await using var api = await ApiHost.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["TomTom:ApiKey"] = "@Microsoft.KeyVault(SecretUri=https://example.vault.azure.net/secrets/tomtom/)",
        });
        var (_, h) = await HealthAsync(api);
        var configuration = Check(h, "configuration");
        Assert.Equal("error", configuration.GetProperty("status").GetString());
        Assert.Contains("unresolved Key Vault reference", configuration.GetProperty("detail").GetString());
        Assert.DoesNotContain("example.vault.azure.net", h.GetRawText());
    }

    [Fact]
    public async Task Storage_down_is_error_503_and_the_data_endpoints_answer_source_unavailable()
    {
        await using var storage = await AzuriteProcess.StartAsync();
        await using var api = await ApiHost.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage.ConnectionString, // storage this test owns, and stops
        });
        await api.RunCycleAsync();
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(api)).Code);

        await storage.StopAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(1)); // past the impact snapshot's freshness

        var (code, h) = await HealthAsync(api);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Equal("error", h.GetProperty("status").GetString());
        Assert.Equal("error", Check(h, "storage").GetProperty("status").GetString());
        Assert.DoesNotContain("Exception", h.GetRawText());

        foreach (var path in new[] { "/api/impact", "/api/impact/history", "/api/analytics" })
        {
            using var response = await api.Client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            using var doc = JsonDocument.Parse(body);
            Assert.Equal("source_unavailable", doc.RootElement.GetProperty("error").GetString());
            Assert.Equal(30, doc.RootElement.GetProperty("retryAfterSeconds").GetInt32());
            Assert.Equal("30", response.Headers.GetValues("Retry-After").Single());
            Assert.DoesNotContain("Exception", body);
            Assert.DoesNotContain("127.0.0.1", body);
        }
    }
}
