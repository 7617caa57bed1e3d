using System.Net;
using System.Text.Json;
using Ayalon.Core.Collection;
using Ayalon.DevHost.Hosting;
using Ayalon.Tests.Traffic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
        // Monday 2026-11-23, 12:02:30 in Tel Aviv; the DevHost's timer, its cycle and the simulator all read this clock.
        var clock = new TimerClock(new DateTimeOffset(2026, 11, 23, 10, 2, 30, TimeSpan.Zero));
        var logs = new LogCapture();
        await using var host = await DevHostInstance.StartAsync(azurite, new Dictionary<string, string?>
        {
            // The production schedule (every five minutes) and minimum interval: nothing shortened for the test.
            ["DevHost:RunTimers"] = "true",
        }, services => services.AddSingleton<TimeProvider>(clock).AddSingleton<ILoggerProvider>(logs));
        Assert.NotNull(host.Simulator);
        var schedule = host.Services.GetRequiredService<CycleSchedule>();
        Assert.Equal("0 */5 * * * *", schedule.Expression);
        var occurrence = new DateTimeOffset(2026, 11, 23, 10, 5, 0, TimeSpan.Zero);
        Assert.Equal(occurrence, schedule.NextAfter(clock.GetUtcNow()));

        // The timer is parked on the next occurrence and has collected nothing; a second short of it, still nothing.
        await clock.WaitForTimersDueAtAsync(occurrence);
        clock.AdvanceTo(occurrence - TimeSpan.FromSeconds(1));
        Assert.Equal(0, host.Simulator!.RequestCount);

        // At the occurrence it fires; once its runner is parked on the following one, the invocation has finished.
        clock.AdvanceTo(occurrence);
        await clock.WaitForTimersDueAtAsync(schedule.NextAfter(occurrence));
        var errors = logs.Lines.Where(l => l.Level is LogLevel.Error or LogLevel.Critical).Select(l => $"{l.Category}: {l.Text}").ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
        Assert.True(host.Simulator.RequestCount > 0);

        using var doc = JsonDocument.Parse(await host.Client.GetStringAsync("/api/impact"));
        var sections = doc.RootElement.GetProperty("sections");
        Assert.Equal(6, sections.GetArrayLength());
        Assert.All(sections.EnumerateArray(), s =>
        {
            Assert.Equal("current", s.GetProperty("state").GetString());
            Assert.True(s.GetProperty("travelTimeSeconds").GetDouble() >= s.GetProperty("freeFlowTimeSeconds").GetDouble());
            Assert.EndsWith("Z", s.GetProperty("observedAtUtc").GetString());
        });

        var health = await host.Client.GetAsync("/api/health");
        var healthText = await health.Content.ReadAsStringAsync();
        Assert.True(health.StatusCode == HttpStatusCode.OK, healthText);
        using var healthDoc = JsonDocument.Parse(healthText);
        Assert.Equal("healthy", healthDoc.RootElement.GetProperty("status").GetString());
        // The cycle the timer started is the one for this occurrence, on the fake clock.
        var lastCycle = healthDoc.RootElement.GetProperty("lastCycle");
        Assert.Equal(occurrence, lastCycle.GetProperty("startedAtUtc").GetDateTimeOffset());
        Assert.Equal("ok", lastCycle.GetProperty("status").GetString());
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
