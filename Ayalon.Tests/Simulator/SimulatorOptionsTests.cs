using Ayalon.Core.Configuration;
using Ayalon.DevHost.Hosting;
using Ayalon.DevHost.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

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

/// <summary>
/// The simulator's settings are checked as the DevHost checks them before starting it (the same check host start runs
/// on every other section): a bad value fails naming its setting. Pure: binding and the shipped fixtures folders only.
/// </summary>
[Trait("Category", "Unit")]
public class SimulatorOptionsValidationTests
{
    private static SimulatorOptions Bound(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(p => SimulatorOptions.SectionName + ":" + p.Key, p => p.Value))
            .Build();
        var options = new SimulatorOptions();
        configuration.GetSection(SimulatorOptions.SectionName).Bind(options);
        return options;
    }

    private static string Failure(SimulatorOptions options) =>
        string.Join(" | ", Assert.Throws<OptionsValidationException>(() => SettingsRegistration.ThrowIfInvalid(options, SimulatorOptions.SectionName)).Failures);

    [Theory]
    [InlineData("Port", "70000", "Port")]
    [InlineData("Port", "-1", "Port")]
    [InlineData("ReplayToleranceMeters", "0", "ReplayToleranceMeters")]
    [InlineData("CoverageRadiusMeters", "-5", "CoverageRadiusMeters")]
    [InlineData("CoverageRadiusMeters", "NaN", "CoverageRadiusMeters")]
    [InlineData("HereTokenExpiresInSeconds", "0", "HereTokenExpiresInSeconds")]
    [InlineData("HereSpeedLimitKmh", "0", "HereSpeedLimitKmh")]
    [InlineData("HereConfidence", "1.5", "HereConfidence")]
    [InlineData("RequestLogCapacity", "0", "RequestLogCapacity")]
    [InlineData("TimeoutHangSeconds", "0", "TimeoutHangSeconds")]
    [InlineData("PatternStepMinutes", "0", "PatternStepMinutes")]
    [InlineData("Fault", "meteor_strike", "Fault")]
    [InlineData("ReplaySet", "1999-01-01", "ReplaySet")]
    [InlineData("ReplaySet", "../tomtom", "ReplaySet")]
    [InlineData("HereReplaySet", "1999-01-01", "HereReplaySet")]
    [InlineData("ReplayDirectory", "/no/such/recordings", "ReplayDirectory")]    // and no ReplaySet to replay from it
    [InlineData("HereReplayDirectory", "/no/such/recordings", "HereReplayDirectory")]
    [InlineData("HereAccessKeyId", "id-without-secret", "HereAccessKeySecret")]
    public void A_bad_simulator_setting_fails_naming_the_setting(string key, string value, string named)
    {
        var message = Failure(Bound(new() { [key] = value }));

        Assert.Contains($"{SimulatorOptions.SectionName}:{named}: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replay_folder_that_does_not_exist_is_named_even_with_a_set()
    {
        var message = Failure(Bound(new() { ["ReplaySet"] = "2026-09-15", ["ReplayDirectory"] = "/no/such/recordings" }));

        Assert.Contains("DevHost:SimulatorOptions:ReplayDirectory: '/no/such/recordings' is not a folder of recorded TomTom answer sets.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_failing_setting_is_named_at_once()
    {
        var message = Failure(Bound(new() { ["Port"] = "70000", ["CoverageRadiusMeters"] = "0" }));

        Assert.Contains("DevHost:SimulatorOptions:Port: ", message, StringComparison.Ordinal);
        Assert.Contains("DevHost:SimulatorOptions:CoverageRadiusMeters: must be a positive distance in metres.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_shipped_replay_sets_any_seed_and_options_built_in_code_pass()
    {
        SettingsRegistration.ThrowIfInvalid(Bound(new()), SimulatorOptions.SectionName);
        SettingsRegistration.ThrowIfInvalid(Bound(new()
        {
            ["Port"] = "65535",
            ["Seed"] = int.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReplaySet"] = "2026-09-15",
            ["HereReplaySet"] = "congested",
            ["Fault"] = "no_coverage",
            ["HereAccessKeyId"] = "id",
            ["HereAccessKeySecret"] = "secret",
        }), SimulatorOptions.SectionName);
        SettingsRegistration.ThrowIfInvalid(new SimulatorOptions
        {
            Port = 0, Seed = 11, TimeoutHangSeconds = 1, RequestLogCapacity = 3, ReplayToleranceMeters = 300,
            TimeProvider = new FakeTimeProvider(),
        }, SimulatorOptions.SectionName);
    }
}

[Trait("Category", "Integration")]
public class SimulatorOptionsTests
{
    [Theory]
    [InlineData("Port", "70000")]
    [InlineData("ReplaySet", "1999-01-01")]
    [InlineData("CoverageRadiusMeters", "0")]
    [InlineData("Fault", "meteor_strike")]
    public async Task DevHost_start_fails_naming_a_bad_simulator_setting_before_anything_listens(string key, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => DevHostApp.BuildAsync([], new Dictionary<string, string?>
        {
            ["DevHost:RunTimers"] = "false",
            ["DevHost:Urls"] = "http://127.0.0.1:0",
            [$"{SimulatorOptions.SectionName}:{key}"] = value,
        }));

        Assert.Contains($"DevHost:SimulatorOptions:{key}: ", error.Message, StringComparison.Ordinal);
    }

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
