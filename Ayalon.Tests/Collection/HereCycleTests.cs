using Ayalon.Tests.Infrastructure;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.Core.Traffic.Here;
using Ayalon.DevHost.Simulator;
using Ayalon.Tests.Physics;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Collection;

/// <summary>
/// HERE through the real cycle: the real HERE client, the simulator's HERE surface on loopback, Azurite. One
/// bounding-box request a cycle, the methodology's numbers from the archived body, credentials nowhere, failover.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HereCycleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly CorridorDefinition Corridor = CycleHarness.Corridor;

    [Fact]
    public async Task One_cycle_sends_exactly_one_bbox_request_over_the_corridor_and_measures_all_six_sections()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator, settings: CycleHarness.HereSettings(simulator));

        var record = await harness.RunAsync();

        Assert.Equal(1, simulator.HereFlowRequestCount);
        Assert.Equal(0, simulator.TomTomRequestCount);
        Assert.Equal(CycleStatus.Ok, record.Status);
        Assert.Equal("here", record.Provider);
        Assert.Equal(6, record.SectionsMeasured);
        var attempt = Assert.Single(record.Attempts);
        Assert.Equal("here", attempt.Provider);
        var url = new Uri(attempt.RedactedUrl);
        Assert.Equal("/v7/flow", url.AbsolutePath);
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("shape", query["locationReferencing"]);
        Assert.Equal("***", query["apiKey"]);
        var bbox = query["in"]!;
        Assert.StartsWith("bbox:", bbox, StringComparison.Ordinal);
        var b = bbox[5..].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // The whole corridor inside, at least 300 m from every edge, each side within HERE's 1° limit.
        foreach (var p in Corridor.Sections.SelectMany(s => s.Geometry))
        {
            Assert.True(Geo.HaversineMeters(p, new GeoPoint(p.LatitudeDeg, b[0])) >= 300 && Geo.HaversineMeters(p, new GeoPoint(p.LatitudeDeg, b[2])) >= 300);
            Assert.True(Geo.HaversineMeters(p, new GeoPoint(b[1], p.LongitudeDeg)) >= 300 && Geo.HaversineMeters(p, new GeoPoint(b[3], p.LongitudeDeg)) >= 300);
        }
        Assert.True(b[2] - b[0] <= 1 && b[3] - b[1] <= 1);
        var quota = await harness.QuotaAsync("here");
        Assert.Equal(1, quota.Reserved);
        Assert.Equal(1, quota.Succeeded);
    }

    [Fact]
    public async Task Stored_numbers_are_the_methodology_applied_to_the_archived_answer()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator, settings: CycleHarness.HereSettings(simulator));

        var record = await harness.RunAsync();
        var archived = Assert.Single(await harness.ArchivedAsync(record));
        var latest = await harness.LatestAsync();

        // Recompute from the raw body with the shipped rules, independently of the cycle's own objects.
        var parsed = HereFlowParser.Parse(archived.Response.Body, null, PhysicsTestData.Constants.ConfidenceFloor);
        Assert.True(parsed.IsOk, parsed.Error);
        var expected = PhysicsTestData.Calculator.ComputeCycle(PhysicsTestData.Matcher, parsed.Pieces, archived.Response.FetchedAtUtc);
        Assert.Equal(6, latest.Sections.Count);
        foreach (var s in expected.Sections)
        {
            var stored = latest.Sections[s.SectionId];
            Assert.Equal(ObservationState.Ok, stored.State);
            Assert.Equal("here", stored.Provider);
            Assert.Equal(s.DelaySeconds!.Value, stored.DelaySeconds!.Value, 6);
            Assert.Equal(s.TravelTimeSeconds!.Value, stored.TravelTimeSeconds!.Value, 6);
            Assert.Equal(s.FreeFlowTimeSeconds!.Value, stored.FreeFlowTimeSeconds!.Value, 6);
            Assert.True(s.DelaySeconds >= 0);
        }
    }

    [Fact]
    public async Task One_admin_collection_through_the_DevHost_sends_one_flow_request_and_impact_shows_the_six_sections_computed_from_it()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var host = await DevHostInstance.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Traffic:Providers"] = "here",
            ["Here:BaseUrl"] = simulator.BaseUrl.ToString().TrimEnd('/'),
            ["Here:ApiKey"] = CycleHarness.Key,
            ["Collector:MinIntervalSeconds"] = "0",
        });
        using var collect = new HttpRequestMessage(HttpMethod.Post, "/api/admin/collect");
        collect.Headers.Add("x-functions-key", DevHostInstance.FunctionKey);

        using var collected = await host.Client.SendAsync(collect);
        var impact = JsonDocument.Parse(await host.Client.GetStringAsync("/api/impact")).RootElement;

        Assert.Equal(System.Net.HttpStatusCode.OK, collected.StatusCode);
        Assert.Equal(1, simulator.HereFlowRequestCount);
        Assert.Equal(0, simulator.TomTomRequestCount);
        Assert.Equal("here", impact.GetProperty("sources").GetProperty("traffic").GetProperty("provider").GetString());
        var inspect = TestTables.Open(host.Services.GetRequiredService<StorageOptions>());
        var cycle = Assert.Single(await new CycleStore(inspect).ReadAsync(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), default));
        var archived = Assert.Single(await new RawResponseArchive(inspect).ReadCycleAsync(cycle.CycleId, cycle.StartedAtUtc, default));
        var parsed = HereFlowParser.Parse(archived.Response.Body, null, PhysicsTestData.Constants.ConfidenceFloor);
        var expected = PhysicsTestData.Calculator.ComputeCycle(PhysicsTestData.Matcher, parsed.Pieces, archived.Response.FetchedAtUtc);
        var sections = impact.GetProperty("sections").EnumerateArray().ToList();
        Assert.Equal(6, sections.Count);
        foreach (var s in sections)
        {
            var id = s.GetProperty("sectionId").GetString()!;
            Assert.Equal("current", s.GetProperty("state").GetString());
            Assert.Equal(expected.Section(id).DelaySeconds!.Value, s.GetProperty("delaySeconds").GetDouble(), 3);
            Assert.Equal(expected.Section(id).TravelTimeSeconds!.Value, s.GetProperty("travelTimeSeconds").GetDouble(), 3);
        }
    }

    [Fact]
    public async Task A_401_is_auth_error_and_the_cycle_stops_after_that_one_request()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator,
            settings: CycleHarness.HereSettings(simulator, apiKey: "a-wrong-here-key-0000"));

        var record = await harness.RunAsync();

        Assert.Equal(1, simulator.HereFlowRequestCount);
        Assert.Equal(CycleStatus.Failed, record.Status);
        Assert.Equal(ProviderStatus.AuthError, record.ProviderStatus);
        Assert.Equal(401, Assert.Single(record.Attempts).HttpStatus);
        Assert.Equal(1, (await harness.QuotaAsync("here")).Reserved);
        Assert.Empty((await harness.LatestAsync()).Sections);
    }

    [Fact]
    public async Task Sections_HERE_cannot_measure_go_to_TomTom_in_the_same_cycle_under_its_own_ledger_row()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator,
            settings: CycleHarness.HereSettings(simulator, providers: "here,tomtom", apiKey: "a-wrong-here-key-0000"));

        var record = await harness.RunAsync();

        Assert.Equal(CycleStatus.Ok, record.Status);
        Assert.Equal("tomtom", record.Provider);
        Assert.Equal(
            new[] { ("here", ProviderStatus.AuthError, 1), ("tomtom", ProviderStatus.Ok, simulator.TomTomRequestCount) },
            record.Providers!.Select(p => (p.Provider, p.Status, p.RequestsUsed)));
        Assert.Equal(1, (await harness.QuotaAsync("here")).Reserved);
        Assert.Equal(simulator.TomTomRequestCount, (await harness.QuotaAsync("tomtom")).Reserved);
        Assert.All((await harness.LatestAsync()).Sections.Values, o => Assert.Equal("tomtom", o.Provider));
    }

    [Fact]
    public async Task An_unreachable_HERE_is_retried_once_under_the_ledger_then_TomTom_measures()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        var settings = CycleHarness.HereSettings(simulator, providers: "here,tomtom");
        settings["Here:BaseUrl"] = "http://127.0.0.1:9"; // discard port: nothing listens
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator, settings: settings);

        var record = await harness.RunAsync();

        var here = record.Providers!.Single(p => p.Provider == "here");
        Assert.Equal(ProviderStatus.NetworkError, here.Status);
        Assert.Equal(2, here.RequestsUsed);
        Assert.Equal(2, (await harness.QuotaAsync("here")).Reserved);
        Assert.Equal(CycleStatus.Ok, record.Status);
        Assert.Equal("tomtom", record.Provider);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_HERE_credential_appears_in_any_log_line_row_body_or_record(bool oauth)
    {
        await using var simulator = await CycleSimulator.StartAsync();
        simulator.Faults.Set(new SimulatorFault(FaultKind.EchoUrlError, Count: 1, StatusCode: 500)); // the first answer echoes the URL
        await using var harness = CycleHarness.Create(azurite.ConnectionString, simulator, settings: CycleHarness.HereSettings(simulator, oauth: oauth));

        var records = new List<CycleRecord> { await harness.RunAsync(), await harness.RunAsync() };

        Assert.Equal(CycleStatus.Ok, records[^1].Status);
        Assert.Equal(oauth ? 1 : 0, simulator.TokenRequestCount); // the bearer token is cached across cycles
        var secrets = oauth ? new[] { CycleHarness.HereAccessKeySecret } : new[] { CycleHarness.Key };
        var emitted = new StringBuilder();
        foreach (var line in harness.Logs.Lines) emitted.AppendLine(line.Text);
        foreach (var (_, entity) in await harness.AllEntitiesAsync())
        {
            foreach (var (k, v) in entity) emitted.Append(k).Append('=').AppendLine(v is byte[] ? "" : Convert.ToString(v, CultureInfo.InvariantCulture));
        }
        foreach (var r in records)
        {
            emitted.AppendLine(JsonSerializer.Serialize(r));
            foreach (var a in await harness.ArchivedAsync(r)) emitted.AppendLine(Encoding.UTF8.GetString(a.Response.Body));
        }
        var text = emitted.ToString();
        Assert.Contains("/v7/flow?in=bbox", text, StringComparison.Ordinal); // the echoed URL did reach the archive, redacted
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(secret), text, StringComparison.Ordinal);
        }
        Assert.Contains(harness.Logs.Lines, l => l.Level is Microsoft.Extensions.Logging.LogLevel.Debug or Microsoft.Extensions.Logging.LogLevel.Trace);
    }
}
