using System.Diagnostics;
using Ayalon.Core.Traffic;
using Ayalon.DevHost.Simulator;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

/// <summary>The app's own TomTomClient and parser against the simulator: what the collector will see.</summary>
[Trait("Category", "Integration")]
public class AppClientAgainstSimulatorTests
{
    private sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;
        public T Get(string? name) => value;
        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    private static TomTomClient ClientFor(SimulatorHarness sim, HttpClient http, int timeoutSeconds = 10, TimeProvider? time = null)
    {
        var options = new FixedOptions<TomTomOptions>(new TomTomOptions
        {
            BaseUrl = sim.Simulator.BaseUrl.ToString().TrimEnd('/'),
            ApiKey = Key,
            TimeoutSeconds = timeoutSeconds,
        });
        return new(http, options, new OptionsTomTomKeySource(options), time ?? TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<TomTomClient>.Instance);
    }

    [Theory]
    [InlineData(FaultKind.None, ProviderStatus.Ok)]
    [InlineData(FaultKind.NoCoverage, ProviderStatus.NoCoverage)]
    [InlineData(FaultKind.Forbidden, ProviderStatus.AuthError)]
    [InlineData(FaultKind.RateLimited, ProviderStatus.RateLimited)]
    [InlineData(FaultKind.ServerError, ProviderStatus.HttpError)]
    [InlineData(FaultKind.Unavailable, ProviderStatus.HttpError)]
    [InlineData(FaultKind.TomTom596, ProviderStatus.HttpError)]
    public async Task The_apps_client_classifies_each_simulated_answer(FaultKind fault, string expectedStatus)
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(fault);
        using var http = new HttpClient();

        var call = await ClientFor(sim, http).GetFlowAsync(Midpoint("ayalon_n_arlozorov_rokach"), null, CancellationToken.None);

        Assert.Equal(expectedStatus, call.Status);
        Assert.All(call.Attempts, a => Assert.DoesNotContain(Key, a.RedactedUrl));
        Assert.Single(sim.Simulator.RecentRequests);
        Assert.True(Guid.TryParse(call.TrackingId, out _));
        if (expectedStatus == ProviderStatus.Ok)
        {
            var parsed = TomTomFlowParser.Parse(call.Body, call.TrackingId);
            Assert.True(parsed.IsOk, parsed.Error);
            Assert.Equal(call.TrackingId, parsed.Piece!.TrackingId);
        }
    }

    [Fact]
    public async Task The_apps_client_times_out_on_the_timeout_fault()
    {
        await using var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.Timeout);
        using var http = new HttpClient();

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);

        var pending = ClientFor(sim, http, timeoutSeconds: 10, clock).GetFlowAsync(Midpoint("ayalon_n_arlozorov_rokach"), null, CancellationToken.None);
        // The simulator holds the request; the client's own timeout runs on the fake clock, so 10 s pass at once.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sim.Simulator.RequestCount == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(pending.IsCompleted, "gave up before its timeout");
        clock.Advance(TimeSpan.FromSeconds(0.1));
        var call = await pending;

        Assert.Equal(ProviderStatus.NetworkError, call.Status);
        Assert.Equal("timeout", call.FinalAttempt!.ErrorDetail);
        Assert.Equal(10_000, call.FinalAttempt.ElapsedMs, 1);
    }

    [Fact]
    public async Task Disposing_the_simulator_ends_a_hanging_request_promptly()
    {
        var sim = await StartAsync();
        sim.Simulator.Faults.Set(FaultKind.Timeout);
        var hanging = sim.GetFlowAsync(Midpoint("ayalon_n_arlozorov_rokach"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (sim.Simulator.RequestCount == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);

        var watch = Stopwatch.StartNew();
        await sim.DisposeAsync();

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<Exception>(async () => (await hanging).EnsureSuccessStatusCode());
    }
}
