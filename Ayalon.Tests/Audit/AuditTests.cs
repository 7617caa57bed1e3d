using System.Net;
using System.Text.Json;
using Ayalon.Core.Storage;
using Ayalon.DevHost.Audit;
using Ayalon.DevHost.Simulator;
using Ayalon.Tests.Api;
using Ayalon.Tests.Collection;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Audit;

/// <summary>
/// The audit against real data: the real collection cycle on a fake clock writes cycles into Azurite from the
/// simulator (HERE first, failing over to TomTom under faults), then the DevHost's <c>audit</c> command and
/// <c>POST /api/admin/audit</c> recompute them from the raw archive and compare with what is stored.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AuditTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    /// <summary>Friday 2026-11-20, 06:00 UTC: the morning rush in Tel Aviv, so the simulated traffic is congested.</summary>
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);

    private const int Cycles = 30;

    [Fact]
    public async Task After_normal_cycles_with_failovers_the_audit_finds_no_difference_and_exits_0()
    {
        await using var run = await CollectedRun.StartAsync(azurite);

        var (exit, lines, _) = await run.AuditAsync();

        Assert.Equal(AuditCommand.ExitClean, exit);
        var stored = await run.Harness.ObservationsAsync(Start, run.Clock.GetUtcNow());
        Assert.True(stored.Count >= Cycles * 5, $"{stored.Count} observations stored");
        // The default range is the archive's 30 days up to now (08:30): the whole hours from 09:00 thirty days ago to 08:00 today.
        Assert.Equal(30 * 24 - 1, HoursChecked(lines[^1]));
        Assert.Equal($"audit: {Cycles} cycles, {stored.Count} observations, {HoursChecked(lines[^1])} hours checked, 0 differences", Assert.Single(lines));
        // The run really exercised both providers' parsers: TomTom answered the cycles HERE could not.
        var records = await run.Harness.CycleRecordsAsync();
        Assert.Contains(records, r => r.Provider == "tomtom" && r.SectionsMeasured > 0);
        Assert.Contains(records, r => r.Attempts.Count(a => a.Provider == "here") == 2);
    }

    [Fact]
    public async Task A_deleted_observation_row_is_named_with_its_keys_and_the_audit_exits_1()
    {
        await using var run = await CollectedRun.StartAsync(azurite);
        var victim = (await run.Harness.ObservationsAsync(Start, run.Clock.GetUtcNow()))[40];
        var pk = ObservationStore.PartitionFor(victim.ObservedAtUtc);
        var rk = ObservationStore.RowKeyFor(victim.SectionId, victim.SnapshotId);
        var table = await run.Harness.Inspect.GetAsync(AyalonTables.Observations);
        await table.DeleteEntityAsync(pk, rk, ETag.All);

        var (exit, lines, _) = await run.AuditAsync();

        Assert.Equal(AuditCommand.ExitDifferences, exit);
        Assert.Equal($"Observations {pk}/{rk}: row stored (none), recomputed present", lines[0]);
        Assert.EndsWith(" hours checked, 1 differences", lines[^1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Count);
    }

    [Fact]
    public async Task A_rollup_field_changed_by_hand_is_named_with_stored_and_recomputed_values()
    {
        await using var run = await CollectedRun.StartAsync(azurite);
        var hour = Start.AddHours(1);
        var table = await run.Harness.Inspect.GetAsync(AyalonTables.HourlyRollups);
        var entity = (await table.GetEntityAsync<TableEntity>(RollupStore.PartitionFor(hour), RollupStore.RowKeyFor(hour))).Value;
        var section = CycleHarness.Corridor.Sections[2].Id;
        var property = RollupStore.Prefix(section) + "DelayIntegral";
        var original = entity.GetDouble(property)!.Value;
        entity[property] = original + 60;
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);

        var (exit, lines, _) = await run.AuditAsync("--from", "2026-11-20", "--to", "2026-11-21");

        Assert.Equal(AuditCommand.ExitDifferences, exit);
        var line = Assert.Single(lines, l => l.StartsWith("HourlyRollups ", StringComparison.Ordinal));
        Assert.Equal($"HourlyRollups {RollupStore.PartitionFor(hour)}/{RollupStore.RowKeyFor(hour)}: {section}.DelayIntegral stored " +
                     $"{(original + 60).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, recomputed {original.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", line);
        Assert.Equal($"audit: {Cycles} cycles, {(await run.Harness.ObservationsAsync(Start, run.Clock.GetUtcNow())).Count} observations, 24 hours checked, 1 differences", lines[^1]);
    }

    [Fact]
    public async Task A_lost_raw_body_is_named_and_so_are_the_observations_it_no_longer_gives()
    {
        await using var run = await CollectedRun.StartAsync(azurite);
        var cycle = (await run.Harness.CycleRecordsAsync())[3];
        var body = Assert.Single(await run.Harness.ArchivedAsync(cycle)).Response;
        var table = await run.Harness.Inspect.GetAsync(AyalonTables.RawResponses);
        var head = await table.QueryAsync<TableEntity>(e => e.PartitionKey == RawResponseArchive.PartitionFor(body.FetchedAtUtc)).SingleAsync(e => e.GetString("AttemptId") == body.AttemptId);
        await table.DeleteEntityAsync(head.PartitionKey, head.RowKey, ETag.All);

        var (exit, lines, _) = await run.AuditAsync();

        Assert.Equal(AuditCommand.ExitDifferences, exit);
        Assert.Contains($"RawResponses cycle {cycle.CycleId} attempt {body.AttemptId}: Body stored (none), recomputed the body of an HTTP 200 ok answer", lines);
        var stored = (await run.Harness.ObservationsAsync(Start, run.Clock.GetUtcNow())).Where(o => o.CycleId == cycle.CycleId).ToList();
        Assert.Equal(6, stored.Count);
        foreach (var o in stored)
        {
            Assert.Contains($"Observations {ObservationStore.PartitionFor(o.ObservedAtUtc)}/{ObservationStore.RowKeyFor(o.SectionId, o.SnapshotId)}: row stored present, recomputed (none)", lines);
        }
        Assert.Contains(lines, l => l.StartsWith($"Cycles {CycleStore.PartitionFor(cycle.StartedAtUtc)}/{CycleStore.RowKeyFor(cycle)}: Status stored ok, recomputed failed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--from", "yesterday" }, "audit: --from 'yesterday' is not a UTC date (2026-11-01) or an ISO 8601 time with its offset")]
    [InlineData(new[] { "--to", "2026-11-20T06:00:00" }, "audit: --to '2026-11-20T06:00:00' is not a UTC date")]
    [InlineData(new[] { "--from", "2026-11-21", "--to", "2026-11-20" }, "audit: --from 2026-11-21T00:00:00Z is after --to 2026-11-20T00:00:00Z.")]
    [InlineData(new[] { "--from", "2026-09-01" }, "audit: --from 2026-09-01T00:00:00Z is before the raw archive's 30-day retention")]
    [InlineData(new[] { "--from" }, "audit: Required argument missing for option: '--from'.")]
    [InlineData(new[] { "--since", "2026-11-20" }, "audit: Unrecognized command or argument '--since'.")]
    public async Task Bad_input_exits_2_with_a_message_naming_the_problem(string[] args, string message)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Storage:TablePrefix"] = AzuriteFixture.NewTablePrefix() };

        var exit = await AuditCommand.RunAsync(args, stdout, stderr, settings, new FakeTimeProvider(Start.AddDays(1)));

        Assert.Equal(AuditCommand.ExitBadInput, exit);
        Assert.StartsWith(message, stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public async Task Unreachable_storage_exits_2_naming_the_setting_and_never_the_account_key()
    {
        const string accountKey = AzuriteProcess.DevStoreAccountSecret; // Azurite's published development key
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var settings = new Dictionary<string, string?>
        {
            // A port nothing listens on.
            ["AzureWebJobsStorage"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={accountKey};TableEndpoint=http://127.0.0.1:9/devstoreaccount1;",
        };

        var exit = await AuditCommand.RunAsync([], stdout, stderr, settings, new FakeTimeProvider(Start));

        Assert.Equal(AuditCommand.ExitBadInput, exit);
        Assert.StartsWith("audit: Table Storage is unreachable", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(accountKey[..20], stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_endpoint_needs_the_function_key_and_answers_the_commands_report_as_json()
    {
        await using var api = await ApiHost.StartAsync(azurite, Start);
        await api.RunCyclesAsync(12, TimeSpan.FromMinutes(5));
        var victim = (await new ObservationStore(api.Services.GetRequiredService<AyalonTables>()).ReadAsync(Start, api.Clock.GetUtcNow(), null, default))[7];
        var tables = api.Services.GetRequiredService<AyalonTables>();
        await (await tables.GetAsync(AyalonTables.Observations)).DeleteEntityAsync(
            ObservationStore.PartitionFor(victim.ObservedAtUtc), ObservationStore.RowKeyFor(victim.SectionId, victim.SnapshotId), ETag.All);
        const string path = "/api/admin/audit?from=2026-11-20&to=2026-11-20T07:00:00Z";

        using (var anonymous = await api.Client.PostAsync(path, null)) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Post, path))
        {
            wrong.Headers.Add("x-functions-key", "not-the-key");
            using var response = await api.Client.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("x-functions-key", DevHostInstance.FunctionKey);
        using var answer = await api.Client.SendAsync(request);
        var text = await answer.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = tables.Prefix,
        };
        var stdout = new StringWriter();
        var exit = await AuditCommand.RunAsync(["--from", "2026-11-20", "--to", "2026-11-20T07:00:00Z"], stdout, new StringWriter(), settings, api.Clock);
        var commandLines = Lines(stdout);
        Assert.Equal(AuditCommand.ExitDifferences, exit);
        var jsonLines = root.GetProperty("differences").EnumerateArray().Select(d => d.GetProperty("line").GetString()!)
            .Append(root.GetProperty("summary").GetString()!).ToList();
        Assert.Equal(commandLines, jsonLines);
        Assert.Equal(1, root.GetProperty("differenceCount").GetInt32());
        Assert.Equal(12, root.GetProperty("cycles").GetInt32());
        var difference = root.GetProperty("differences")[0];
        Assert.Equal("Observations", difference.GetProperty("table").GetString());
        Assert.Equal("row", difference.GetProperty("field").GetString());
        Assert.Equal(JsonValueKind.Null, difference.GetProperty("stored").ValueKind);
        // No credential of any kind in the report: the function key, the simulator's provider key, the storage key.
        Assert.DoesNotContain(DevHostInstance.FunctionKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Services.GetRequiredService<IConfiguration>()["Here:ApiKey"]!, text, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", text, StringComparison.OrdinalIgnoreCase);

        using var bad = new HttpRequestMessage(HttpMethod.Post, "/api/admin/audit?from=soon");
        bad.Headers.Add("x-functions-key", DevHostInstance.FunctionKey);
        using var badAnswer = await api.Client.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, badAnswer.StatusCode);
        using var error = JsonDocument.Parse(await badAnswer.Content.ReadAsStringAsync());
        Assert.Equal("invalid_input", error.RootElement.GetProperty("error").GetString());
        Assert.StartsWith("from 'soon' is not a UTC date", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static int HoursChecked(string summary) =>
        int.Parse(summary.Split(", ")[2].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> Lines(StringWriter writer) =>
        writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();

    /// <summary>
    /// <see cref="Cycles"/> cycles five minutes apart on a fake clock, HERE then TomTom, with faults on some:
    /// a 401 and a low-confidence answer from HERE (TomTom measures instead) and a 500 (HERE's retry succeeds).
    /// </summary>
    private sealed class CollectedRun : IAsyncDisposable
    {
        private CollectedRun(FakeTimeProvider clock, TrafficSimulator simulator, CycleHarness harness)
        {
            Clock = clock;
            Simulator = simulator;
            Harness = harness;
        }

        public FakeTimeProvider Clock { get; }
        public TrafficSimulator Simulator { get; }
        public CycleHarness Harness { get; }

        public static async Task<CollectedRun> StartAsync(AzuriteFixture azurite)
        {
            var clock = new FakeTimeProvider(Start);
            var simulator = await CycleSimulator.StartAsync(clock);
            var harness = CycleHarness.Create(azurite.ConnectionString, simulator, settings: CycleHarness.HereSettings(simulator, "here,tomtom"), time: clock);
            for (var i = 0; i < Cycles; i++)
            {
                if (i == 7) simulator.Faults.Set(FaultKind.Forbidden, count: 1);
                if (i == 13) simulator.Faults.Set(FaultKind.ServerError, count: 1);
                if (i == 21) simulator.Faults.Set(FaultKind.LowConfidence, count: 1);
                await harness.RunAsync();
                clock.Advance(TimeSpan.FromMinutes(5));
            }
            return new CollectedRun(clock, simulator, harness);
        }

        public async Task<(int Exit, List<string> Lines, string Errors)> AuditAsync(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = Harness.Storage.ConnectionString,
                ["Storage:TablePrefix"] = Harness.Storage.TablePrefix,
                // The collector's settings that shape the numbers; the audit must compute with the same ones.
                ["TomTom:ApiKey"] = CycleHarness.Key,
                ["TomTom:BaseUrl"] = Simulator.BaseUrl.ToString(),
            };
            var exit = await AuditCommand.RunAsync(args, stdout, stderr, settings, Clock);
            Assert.True(stderr.ToString().Length == 0, stderr.ToString());
            return (exit, Lines(stdout), stderr.ToString());
        }

        public async ValueTask DisposeAsync()
        {
            await Harness.DisposeAsync();
            await Simulator.DisposeAsync();
        }
    }
}
