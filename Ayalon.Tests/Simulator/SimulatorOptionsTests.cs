using Ayalon.DevHost.Hosting;
using Ayalon.DevHost.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Unit")]
public class SimulatorOptionsBindingTests
{
    [Fact]
    public void Options_bind_from_the_DevHost_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DevHost:SimulatorOptions:Port"] = "7072",
            ["DevHost:SimulatorOptions:Seed"] = "7",
            ["DevHost:SimulatorOptions:ReplaySet"] = "2026-09-15",
            ["DevHost:SimulatorOptions:RequiredKey"] = "k",
            ["DevHost:SimulatorOptions:Fault"] = "no_coverage",
            ["DevHost:SimulatorOptions:CoverageRadiusMeters"] = "1500",
        }).Build();
        var options = new SimulatorOptions();

        configuration.GetSection("DevHost:SimulatorOptions").Bind(options);

        Assert.Equal(7072, options.Port);
        Assert.Equal(7, options.Seed);
        Assert.Equal(SimulatorMode.Replay, options.Mode);
        Assert.Equal("k", options.RequiredKey);
        Assert.Equal("no_coverage", options.Fault);
        Assert.Equal(1500, options.CoverageRadiusMeters);
        Assert.Same(TimeProvider.System, options.TimeProvider);
    }
}

[Trait("Category", "Integration")]
public class SimulatorOptionsTests
{
    [Fact]
    public async Task DevHost_starts_the_simulator_with_its_bound_options_and_points_the_app_at_it()
    {
        var app = await DevHostApp.BuildAsync([], new Dictionary<string, string?>
        {
            ["DevHost:RunTimers"] = "false",
            ["DevHost:Urls"] = "http://127.0.0.1:0",
            ["DevHost:SimulatorOptions:Seed"] = "11",
            ["DevHost:SimulatorOptions:Fault"] = "unavailable",
        });
        var simulator = app.Services.GetRequiredService<TrafficSimulator>();
        try
        {
            Assert.Equal(11, simulator.Seed);
            Assert.Equal(FaultKind.Unavailable, simulator.Faults.Current.Kind);
            Assert.Equal(simulator.BaseUrl.ToString().TrimEnd('/'), app.Configuration["TomTom:BaseUrl"]);
            using var http = new HttpClient { BaseAddress = simulator.BaseUrl };
            using var response = await http.GetAsync(
                $"traffic/services/4/flowSegmentData/absolute/10/json?point=32.0705,34.7934&key={Uri.EscapeDataString(app.Configuration["TomTom:ApiKey"]!)}");
            Assert.Equal(503, (int)response.StatusCode);
        }
        finally
        {
            await simulator.DisposeAsync();
            await app.DisposeAsync();
        }
    }
}
