using System.Net;
using System.Text.Json;
using Ayalon.DevHost.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ayalon.Tests.Hosting;

[Trait("Category", "Unit")]
public class DevHostConfigurationTests
{
    [Theory]
    [InlineData(null, null, null, true)]                                      // nothing configured: simulator
    [InlineData("real-key", null, null, false)]                               // a key: real TomTom
    [InlineData("real-key", null, "true", true)]                              // a key, but the simulator asked for
    [InlineData("real-key", "http://127.0.0.1:9/fake", "true", false)]        // key + explicit URL: honoured as given
    [InlineData(null, "http://127.0.0.1:9/fake", null, true)]                 // URL without key: simulator
    public void Simulator_is_used_exactly_when_the_configuration_says_so(string? key, string? baseUrl, string? simulatorFlag, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TomTom:ApiKey"] = key,
            ["TomTom:BaseUrl"] = baseUrl,
            ["DevHost:Simulator"] = simulatorFlag,
        }).Build();
        Assert.Equal(expected, DevHostApp.ShouldUseSimulator(configuration));
    }

    [Fact]
    public void Every_function_in_the_Functions_assembly_is_found_with_its_route_and_schedule()
    {
        var http = FunctionCatalog.HttpFunctions();
        Assert.Contains(http, f => f.Route == "api/impact" && f.Methods.Contains("get"));
        Assert.Contains(http, f => f.Route == "api/health" && f.Methods.Contains("get"));
        var timer = Assert.Single(FunctionCatalog.TimerFunctions());
        Assert.Equal("CollectTraffic", timer.Name);
        Assert.Equal("%Collector:Schedule%", timer.Schedule);
    }
}

[Trait("Category", "Integration")]
public class DevHostThreadTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Timer_collects_from_the_simulator_into_table_storage_and_impact_reads_it_back()
    {
        await using var host = await DevHostInstance.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["DevHost:RunTimers"] = "true",
            ["Collector:Schedule"] = "*/2 * * * * *",
            ["Collector:MinIntervalSeconds"] = "0",
        });
        Assert.NotNull(host.Simulator);

        JsonElement sections = default;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var doc = JsonDocument.Parse(await host.Client.GetStringAsync("/api/impact"));
            sections = doc.RootElement.GetProperty("sections").Clone();
            if (sections.EnumerateArray().All(s => s.GetProperty("state").GetString() == "current")) break;
            await Task.Delay(250);
        }

        Assert.Equal(6, sections.GetArrayLength());
        Assert.All(sections.EnumerateArray(), s =>
        {
            Assert.Equal("current", s.GetProperty("state").GetString());
            Assert.True(s.GetProperty("travelTimeSeconds").GetDouble() >= s.GetProperty("freeFlowTimeSeconds").GetDouble());
            Assert.EndsWith("Z", s.GetProperty("observedAtUtc").GetString());
        });
        Assert.True(host.Simulator!.RequestCount > 0);

        var health = await host.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var healthDoc = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("healthy", healthDoc.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Before_any_cycle_health_is_empty_with_503_and_impact_shows_no_data()
    {
        await using var host = await DevHostInstance.StartAsync(azurite);

        var health = await host.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var doc = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("empty", doc.RootElement.GetProperty("status").GetString());

        using var impact = JsonDocument.Parse(await host.Client.GetStringAsync("/api/impact"));
        Assert.All(impact.RootElement.GetProperty("sections").EnumerateArray(),
            s => Assert.Equal("none", s.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        await using var host = await DevHostInstance.StartAsync(azurite);
        var response = await host.Client.GetAsync("/api/health");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }
}
