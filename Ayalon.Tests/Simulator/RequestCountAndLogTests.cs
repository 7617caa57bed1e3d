using Ayalon.DevHost.Simulator;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class RequestCountAndLogTests
{
    private static readonly Ayalon.Core.Corridor.GeoPoint Point = Midpoint("ayalon_n_holon_laguardia");

    [Fact]
    public async Task RequestCount_counts_every_api_request_whatever_its_answer_but_not_control_calls()
    {
        await using var sim = await StartAsync();
        var s = sim.Simulator;

        (await sim.GetFlowAsync(Point)).Dispose();                                    // 200
        (await sim.GetFlowAsync(Point, key: null)).Dispose();                         // 403 no key
        (await sim.GetFlowAsync(new Ayalon.Core.Corridor.GeoPoint(31.0, 35.0))).Dispose(); // 400 no coverage
        (await sim.GetFlowAsync(Point, zoom: "99")).Dispose();                        // 400 invalid
        (await sim.Http.GetAsync("traffic/services/4/incidentDetails?key=k")).Dispose(); // 404 unknown path
        s.Faults.Set(FaultKind.ServerError, count: 1);
        (await sim.GetFlowAsync(Point)).Dispose();                                    // 500 fault
        s.Faults.Set(FaultKind.Timeout, count: 1);
        using (var impatient = new HttpClient { BaseAddress = s.BaseUrl, Timeout = TimeSpan.FromMilliseconds(200) })
        {
            await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetAsync(FlowPath(Point)));
        }
        (await sim.Http.GetAsync("_simulator/state")).Dispose();                      // control: not counted
        (await sim.Http.DeleteAsync("_simulator/faults")).Dispose();                  // control: not counted

        Assert.Equal(7, s.RequestCount);
    }

    [Fact]
    public async Task RequestCount_is_exact_under_concurrency()
    {
        await using var sim = await StartAsync();

        await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            using var response = await sim.GetFlowAsync(Point, key: i % 4 == 0 ? null : Key);
        }));

        Assert.Equal(64, sim.Simulator.RequestCount);
    }

    [Fact]
    public async Task Request_log_keeps_time_point_zoom_and_status_but_never_the_key()
    {
        const string secret = "never-log-me-91b2";
        await using var sim = await StartAsync();
        SimulatorRequestRecord? observed = null;
        sim.Simulator.RequestCompleted += r => observed = r;

        (await sim.GetFlowAsync(Point, key: secret)).Dispose();

        var record = Assert.Single(sim.Simulator.RecentRequests);
        Assert.Equal(WeekdayMorningPeakUtc, record.ReceivedAtUtc); // the injected clock
        Assert.Equal("/traffic/services/4/flowSegmentData/absolute/10/json", record.Path);
        Assert.Equal(FormattableString.Invariant($"{Point.LatitudeDeg:0.######},{Point.LongitudeDeg:0.######}"), record.Point);
        Assert.Equal(10, record.Zoom);
        Assert.True(record.KeyPresent);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal("ok", record.Outcome);
        Assert.Equal(record, observed);
        Assert.DoesNotContain(secret, record.ToString());

        var served = await sim.Http.GetStringAsync("_simulator/requests") + await sim.Http.GetStringAsync("_simulator/state");
        Assert.Contains("\"keyPresent\":true", served);
        Assert.DoesNotContain(secret, served);
    }

    [Fact]
    public async Task Request_log_keeps_only_the_most_recent_requests()
    {
        await using var sim = await StartAsync(o => o.RequestLogCapacity = 3);

        foreach (var zoom in new[] { "6", "7", "8", "9", "10" }) (await sim.GetFlowAsync(Point, zoom: zoom)).Dispose();

        Assert.Equal([8, 9, 10], sim.Simulator.RecentRequests.Select(r => r.Zoom));
        Assert.Equal(5, sim.Simulator.RequestCount);
    }
}
