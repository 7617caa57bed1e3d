using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.Core.Traffic;
using Ayalon.DevHost.Simulator;
using static Ayalon.Tests.Simulator.SimulatorHarness;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public class ReplayModeTests
{
    private static readonly string FixturesDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "tomtom");

    public static TheoryData<string, string> Recordings()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in new[] { "2026-01-10", "2026-09-15" })
        {
            foreach (var probe in new[] { "la_guardia", "ha_shalom", "arlozorov" }) data.Add(set, probe);
        }
        return data;
    }

    private static (GeoPoint Point, int Status, string TrackingId) Meta(string set, string probe)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixturesDir, set, probe + ".meta.json")));
        var parts = doc.RootElement.GetProperty("request").GetProperty("query").GetProperty("point").GetString()!.Split(',');
        var response = doc.RootElement.GetProperty("response");
        return (new GeoPoint(double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)),
            response.GetProperty("status").GetInt32(),
            response.GetProperty("headers").GetProperty("tracking-id").GetString()!);
    }

    [Theory]
    [MemberData(nameof(Recordings))]
    public async Task Replay_serves_the_recorded_body_status_and_tracking_id_for_the_recorded_point(string set, string probe)
    {
        var meta = Meta(set, probe);
        await using var sim = await StartAsync(o => o.ReplaySet = set);

        using var response = await sim.GetFlowAsync(meta.Point);

        Assert.Equal(meta.Status, (int)response.StatusCode);
        Assert.Equal(meta.TrackingId, TrackingId(response));
        Assert.Equal(File.ReadAllBytes(Path.Combine(FixturesDir, set, probe + ".body.json")), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(SimulatorMode.Replay, sim.Simulator.Mode);
    }

    [Fact]
    public async Task Replay_of_the_congested_set_gives_the_recorded_northbound_speeds()
    {
        await using var sim = await StartAsync(o => o.ReplaySet = "2026-09-15");
        using var response = await sim.GetFlowAsync(Meta("2026-09-15", "arlozorov").Point);
        var piece = TomTomFlowParser.Parse(await response.Content.ReadAsStringAsync()).Piece!;

        Assert.Equal(65, piece.CurrentSpeedKmh);
        Assert.Equal(94, piece.FreeFlowSpeedKmh);
        Assert.Equal(494, piece.CurrentTravelTimeSeconds);
    }

    [Theory]
    [InlineData("ayalon_n_arlozorov_rokach", "arlozorov")]
    [InlineData("ayalon_n_laguardia_arlozorov", "ha_shalom")]
    [InlineData("ayalon_s_laguardia_holon", "ha_shalom")]
    public async Task A_section_midpoint_gets_the_recording_with_the_nearest_probe(string sectionId, string probe)
    {
        await using var sim = await StartAsync(o => o.ReplaySet = "2026-09-15");

        using var response = await sim.GetFlowAsync(Midpoint(sectionId));

        Assert.Equal(Meta("2026-09-15", probe).TrackingId, TrackingId(response));
        Assert.Equal("replay:" + probe, sim.Simulator.RecentRequests[^1].Outcome);
    }

    [Fact]
    public async Task Replay_answers_a_point_beyond_the_tolerance_with_no_coverage()
    {
        await using var sim = await StartAsync(o =>
        {
            o.ReplaySet = "2026-01-10";
            o.ReplayToleranceMeters = 300;
        });

        using var response = await sim.GetFlowAsync(Midpoint("ayalon_n_arlozorov_rokach")); // ~1 km from the nearest probe

        var (status, _, json) = await ReadAsync(response);
        Assert.Equal(400, status);
        Assert.Equal(TomTomBodies.NoCoverageMessage, json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Replay_still_requires_a_key()
    {
        await using var sim = await StartAsync(o => o.ReplaySet = "2026-09-15");

        using var response = await sim.GetFlowAsync(Meta("2026-09-15", "arlozorov").Point, key: null);

        Assert.Equal(403, (int)response.StatusCode);
    }

    [Fact]
    public async Task Faults_apply_in_replay_mode_too()
    {
        await using var sim = await StartAsync(o => o.ReplaySet = "2026-09-15");
        sim.Simulator.Faults.Set(FaultKind.LowConfidence, count: 1);

        using var response = await sim.GetFlowAsync(Meta("2026-09-15", "arlozorov").Point);
        var piece = TomTomFlowParser.Parse(await response.Content.ReadAsStringAsync()).Piece!;

        Assert.Equal(0.5, piece.Confidence);
        Assert.Equal(65, piece.CurrentSpeedKmh);
    }

    [Fact]
    public async Task An_unknown_replay_set_fails_at_start()
    {
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.ReplaySet = "1999-01-01"));
        var notAFolderName = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.ReplaySet = "../tomtom"));

        Assert.Contains("ReplaySet: TomTom replay set '1999-01-01' not found", missing.Message, StringComparison.Ordinal);
        Assert.Contains("ReplaySet: TomTom replay set '../tomtom' is not a folder name.", notAFolderName.Message, StringComparison.Ordinal);
    }
}
