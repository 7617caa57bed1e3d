using Ayalon.Tests.Infrastructure;
using System.Diagnostics;
using System.Text.Json;
using Ayalon.Core.Storage;
using Ayalon.Tests.Traffic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ayalon.Tests.Soak;

/// <summary>
/// Two DevHosts (a scaled-out app) on one storage account, each with its own simulator and its timer on a 5-second
/// schedule, left running for 30 s of real time. Each host's logs are kept apart to tell which one ran or skipped.
/// </summary>
public sealed class TwoDevHostsFixture : IAsyncLifetime
{
    public const string Schedule = "*/5 * * * * *";
    public static readonly TimeSpan RunFor = TimeSpan.FromSeconds(30);

    private DevHostInstance? _first;
    private DevHostInstance? _second;

    public LogCapture FirstLogs { get; } = new();
    public LogCapture SecondLogs { get; } = new();
    public JsonElement Analytics { get; private set; }
    public IReadOnlyList<CycleRecord> CycleRecords { get; private set; } = [];
    public TimeSpan Ran { get; private set; }
    public DateTimeOffset RecordsReadAtUtc { get; private set; }

    public async Task InitializeAsync()
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var prefix = AzuriteFixture.NewTablePrefix();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:TablePrefix"] = prefix,
            ["DevHost:RunTimers"] = "true",
            ["Collector:Schedule"] = Schedule,
            // Below the 5 s cadence, so each occurrence may run; the timer firing on both hosts at once is what skips.
            ["Collector:MinIntervalSeconds"] = "4",
            ["Logging:LogLevel:Ayalon.Core.Collection"] = "Information",
        };
        var clock = Stopwatch.StartNew();
        _first = await DevHostInstance.StartAsync(azurite, settings, s => s.AddSingleton<ILoggerProvider>(FirstLogs));
        _second = await DevHostInstance.StartAsync(azurite, settings, s => s.AddSingleton<ILoggerProvider>(SecondLogs));
        await Task.Delay(RunFor);
        using (var doc = JsonDocument.Parse(await _first.Client.GetStringAsync("/api/analytics?window=24h")))
        {
            Analytics = doc.RootElement.Clone();
        }
        Ran = clock.Elapsed;
        var tables = TestTables.Open(new StorageOptions { ConnectionString = azurite.ConnectionString, TablePrefix = prefix });
        RecordsReadAtUtc = DateTimeOffset.UtcNow;
        CycleRecords = await new CycleStore(tables).ReadAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
    }

    /// <summary>Cycle ids ("yyyyMMddTHHmmssZ-xxxxxx") a host logged as "Cycle {id} started" or "Cycle {id} skipped: …".</summary>
    public static IReadOnlyList<string> CycleIds(LogCapture logs, string outcome) =>
        logs.Lines.Where(l => l.Category.StartsWith("Ayalon.Core.Collection.CollectionCycle", StringComparison.Ordinal))
            .Select(l => l.Text.Split(' ', 4))
            .Where(w => w.Length >= 3 && w[0] == "Cycle" && w[2].TrimEnd(':') == outcome)
            .Select(w => w[1]).Distinct(StringComparer.Ordinal).ToList();

    public async Task DisposeAsync()
    {
        if (_second is not null) await _second.DisposeAsync();
        if (_first is not null) await _first.DisposeAsync();
    }
}

[Trait("Category", "Integration")]
public sealed class TwoDevHostsTests(TwoDevHostsFixture hosts) : IClassFixture<TwoDevHostsFixture>
{
    [Fact]
    public void Both_hosts_fire_on_every_occurrence_and_exactly_one_collects_each_time()
    {
        var firstRan = TwoDevHostsFixture.CycleIds(hosts.FirstLogs, "started");
        var secondRan = TwoDevHostsFixture.CycleIds(hosts.SecondLogs, "started");
        var firstSkipped = TwoDevHostsFixture.CycleIds(hosts.FirstLogs, "skipped");
        var secondSkipped = TwoDevHostsFixture.CycleIds(hosts.SecondLogs, "skipped");
        var ran = firstRan.Concat(secondRan).ToList();
        var summary = $"first host ran {firstRan.Count}, skipped {firstSkipped.Count}; second ran {secondRan.Count}, skipped {secondSkipped.Count}; " +
                      $"{hosts.CycleRecords.Count} cycle records in {hosts.Ran.TotalSeconds:0.0} s";

        // Each host's timer fired on (nearly) every 5-second occurrence of the 30 s.
        Assert.True(firstRan.Count + firstSkipped.Count >= 5, summary);
        Assert.True(secondRan.Count + secondSkipped.Count >= 5, summary);
        Assert.True(ran.Count >= 4, summary);
        Assert.True(firstSkipped.Count + secondSkipped.Count >= 1, summary);
        // One cycle per occurrence: no two cycles started within the same second, on either host.
        var startedPerSecond = ran.GroupBy(id => id[..16], StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(startedPerSecond.Count == 0, "two cycles ran at " + string.Join(", ", startedPerSecond) + "; " + summary);
        // Every cycle that ran is recorded in the shared storage (but one started just before storage was read).
        var recorded = hosts.CycleRecords.Select(c => c.CycleId).ToHashSet(StringComparer.Ordinal);
        var unrecorded = ran.Where(id => !recorded.Contains(id) && StartedAt(id) < hosts.RecordsReadAtUtc.AddSeconds(-2)).ToList();
        Assert.True(unrecorded.Count == 0, "not recorded: " + string.Join(", ", unrecorded) + "; " + summary);
    }

    [Fact]
    public void Analytics_schedule_shows_the_expected_ran_and_skipped_cycles()
    {
        Assert.True(hosts.Analytics.TryGetProperty("schedule", out var schedule), "/api/analytics has no schedule block: " + hosts.Analytics);
        var expected = schedule.GetProperty("expectedCycles").GetInt32();
        var ranCycles = schedule.GetProperty("ranCycles").GetInt32();
        var skipped = schedule.GetProperty("skippedCycles").GetInt32();
        var missed = schedule.GetProperty("missedCycles").GetInt32();
        var adherence = schedule.GetProperty("adherencePercent").GetDouble();
        var text = schedule.ToString();
        Assert.InRange(expected, 5, 7);
        Assert.True(ranCycles >= 4, text);
        Assert.True(skipped >= 1, text);
        Assert.InRange(missed, 0, expected);
        Assert.InRange(adherence, 0, 100);
    }

    /// <summary>When a cycle id says it started (its first 15 characters, UTC).</summary>
    private static DateTimeOffset StartedAt(string cycleId) =>
        DateTimeOffset.ParseExact(cycleId[..15], "yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal);
}
