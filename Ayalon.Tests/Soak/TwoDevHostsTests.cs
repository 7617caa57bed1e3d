using Ayalon.Tests.Infrastructure;
using System.Text.Json;
using Ayalon.Core.Collection;
using Ayalon.Core.Storage;
using Ayalon.Tests.Traffic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ayalon.Tests.Soak;

/// <summary>
/// Two DevHosts (a scaled-out app) on one storage account and one fake clock, each with its own simulator and its
/// timer on the production schedule (every five minutes, minimum interval 60 s). The clock is moved to each of
/// <see cref="Occurrences"/> occurrences once both hosts' timers are parked on it, so both fire at the same instant;
/// the next move waits until both are parked again (their invocations are over). Each host's logs are kept apart to
/// tell which one ran or skipped.
/// </summary>
public sealed class TwoDevHostsFixture : IAsyncLifetime
{
    public const string Schedule = "0 */5 * * * *";
    public const int Occurrences = 6;

    /// <summary>Monday 2026-11-23, 12:02:30 in Tel Aviv: the first occurrence is 10:05:00 UTC.</summary>
    public static readonly DateTimeOffset StartUtc = new(2026, 11, 23, 10, 2, 30, TimeSpan.Zero);

    private DevHostInstance? _first;
    private DevHostInstance? _second;

    public LogCapture FirstLogs { get; } = new();
    public LogCapture SecondLogs { get; } = new();
    public JsonElement Analytics { get; private set; }
    public IReadOnlyList<CycleRecord> CycleRecords { get; private set; } = [];
    /// <summary>The occurrences the clock was moved to, in order.</summary>
    public IReadOnlyList<DateTimeOffset> Fired { get; private set; } = [];

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
            ["Logging:LogLevel:Ayalon.Core.Collection"] = "Information",
        };
        var clock = new TimerClock(StartUtc);
        _first = await DevHostInstance.StartAsync(azurite, settings, s => s.AddSingleton<TimeProvider>(clock).AddSingleton<ILoggerProvider>(FirstLogs));
        _second = await DevHostInstance.StartAsync(azurite, settings, s => s.AddSingleton<TimeProvider>(clock).AddSingleton<ILoggerProvider>(SecondLogs));
        var schedule = new CycleSchedule(Schedule);
        var fired = new List<DateTimeOffset>();
        var occurrence = schedule.NextAfter(StartUtc);
        for (var i = 0; i < Occurrences; i++)
        {
            await clock.WaitForTimersDueAtAsync(occurrence, count: 2);
            clock.AdvanceTo(occurrence);
            fired.Add(occurrence);
            occurrence = schedule.NextAfter(occurrence);
        }
        await clock.WaitForTimersDueAtAsync(occurrence, count: 2); // both hosts are done with the last occurrence
        Fired = fired;
        using (var doc = JsonDocument.Parse(await _first.Client.GetStringAsync("/api/analytics?window=24h")))
        {
            Analytics = doc.RootElement.Clone();
        }
        var tables = TestTables.Open(new StorageOptions { ConnectionString = azurite.ConnectionString, TablePrefix = prefix });
        CycleRecords = await new CycleStore(tables).ReadAsync(StartUtc, clock.GetUtcNow().AddSeconds(1), CancellationToken.None);
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
        var skipped = firstSkipped.Concat(secondSkipped).ToList();
        var summary = $"first host ran {firstRan.Count}, skipped {firstSkipped.Count}; second ran {secondRan.Count}, skipped {secondSkipped.Count}; " +
                      $"{hosts.CycleRecords.Count} cycle records over {hosts.Fired.Count} occurrences";

        Assert.Equal(TwoDevHostsFixture.Occurrences, hosts.Fired.Count);
        // Each host's timer fired on every occurrence, at the occurrence: one cycle started, the other skipped.
        Assert.True(firstRan.Count + firstSkipped.Count == hosts.Fired.Count, summary);
        Assert.True(secondRan.Count + secondSkipped.Count == hosts.Fired.Count, summary);
        Assert.Equal(hosts.Fired, ran.Select(StartedAt).Order());
        Assert.Equal(hosts.Fired, skipped.Select(StartedAt).Order());
        // Every cycle that ran is recorded in the shared storage, and nothing else is.
        Assert.Equal(ran.Order(StringComparer.Ordinal), hosts.CycleRecords.Select(c => c.CycleId).Order(StringComparer.Ordinal));
        Assert.All(hosts.CycleRecords, c => Assert.Equal(CycleStatus.Ok, c.Status));
    }

    [Fact]
    public void Analytics_schedule_shows_the_expected_ran_and_skipped_cycles()
    {
        Assert.True(hosts.Analytics.TryGetProperty("schedule", out var schedule), "/api/analytics has no schedule block: " + hosts.Analytics);
        var text = schedule.ToString();
        var occurrences = TwoDevHostsFixture.Occurrences;
        Assert.True(schedule.GetProperty("expectedCycles").GetInt32() == occurrences, text);
        Assert.True(schedule.GetProperty("ranCycles").GetInt32() == occurrences, text);
        Assert.True(schedule.GetProperty("skippedCycles").GetInt32() == occurrences, text);
        Assert.True(schedule.GetProperty("missedCycles").GetInt32() == 0, text);
        Assert.True(schedule.GetProperty("adherencePercent").GetDouble() == 100, text);
    }

    /// <summary>When a cycle id says it started (its first 15 characters, UTC).</summary>
    private static DateTimeOffset StartedAt(string cycleId) =>
        DateTimeOffset.ParseExact(cycleId[..15], "yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal);
}
