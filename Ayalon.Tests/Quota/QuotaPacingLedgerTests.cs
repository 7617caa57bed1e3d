using Ayalon.Tests.Infrastructure;
using System.Diagnostics;
using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ayalon.Tests.Quota;

/// <summary>Per-provider quotas and pacing through the real ledger, Table Storage on Azurite, time on a fake clock.</summary>
[Trait("Category", "Integration")]
public sealed class QuotaPacingLedgerTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset NovemberStart = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static QuotaLedger Ledger(AyalonTables tables, TestOptionsMonitor<QuotaOptions> options, TimeProvider time) =>
        new(tables, options, time, NullLogger<QuotaLedger>.Instance);

    private static QuotaLedger Ledger(AyalonTables tables, QuotaOptions options, TimeProvider time) =>
        Ledger(tables, new TestOptionsMonitor<QuotaOptions>(options), time);

    /// <summary>HERE monthly with its own limit, TomTom on the daily default.</summary>
    private static QuotaOptions TwoProviders(int hereLimit = 3, int defaultLimit = 2, bool? herePacing = false) => new()
    {
        Limit = defaultLimit,
        Period = QuotaPeriod.Day,
        Providers = { ["here"] = new ProviderQuotaOverride { Limit = hereLimit, Period = QuotaPeriod.Month, Pacing = herePacing } },
    };

    [Fact]
    public async Task Each_provider_is_charged_to_its_own_period_row_against_its_own_limit()
    {
        var storage = azurite.NewStorageOptions();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 23, 59, 0, TimeSpan.Zero));
        var ledger = Ledger(TestTables.Open(storage), TwoProviders(), time);

        var here = await ledger.TryReserveAsync("here", 3, default);
        var tomtom = await ledger.TryReserveAsync("tomtom", 2, default);
        var hereOver = await ledger.TryReserveAsync("here", 1, default);
        var tomtomOver = await ledger.TryReserveAsync("tomtom", 1, default);
        await ledger.RecordOutcomesAsync("here", here.ReservedAtUtc, [ProviderStatus.Ok, ProviderStatus.Ok], default);
        await ledger.ReleaseAsync("here", here.ReservedAtUtc, 1, default);
        await ledger.RecordOutcomesAsync("tomtom", tomtom.ReservedAtUtc, [ProviderStatus.NoCoverage], default);
        time.Advance(TimeSpan.FromMinutes(2)); // 2026-11-30: TomTom's day rolls over, HERE's month does not
        var hereNextDay = await ledger.TryReserveAsync("here", 1, default);
        var tomtomNextDay = await ledger.TryReserveAsync("tomtom", 1, default);

        Assert.Equal(("month-2026-11", 3, true), (here.PeriodKey, here.Limit, here.Granted));
        Assert.Equal(("day-2026-11-29", 2, true), (tomtom.PeriodKey, tomtom.Limit, tomtom.Granted));
        Assert.Equal(QuotaLedger.DeniedQuotaExhausted, hereOver.DenialReason);
        Assert.Equal(QuotaLedger.DeniedQuotaExhausted, tomtomOver.DenialReason);
        Assert.True(hereNextDay.Granted); // the released request, still in November
        Assert.Equal(3, hereNextDay.Reserved);
        Assert.Equal(("day-2026-11-30", 1), (tomtomNextDay.PeriodKey, tomtomNextDay.Reserved));

        var table = await TestTables.Open(storage).GetAsync(AyalonTables.QuotaLedger);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>()) rows.Add(row);
        Assert.Equal(["here|month-2026-11", "tomtom|day-2026-11-29", "tomtom|day-2026-11-30"],
            rows.Select(r => r.PartitionKey + "|" + r.RowKey).Order(StringComparer.Ordinal));
        var hereRow = rows.Single(r => r.PartitionKey == "here");
        Assert.Equal((3, 3, 2, "Month"), (hereRow.GetInt32("Limit"), hereRow.GetInt32("Reserved"), hereRow.GetInt32("Succeeded"), hereRow.GetString("Period")));
        Assert.Equal(1, rows.Single(r => r.RowKey == "day-2026-11-29").GetInt32("Status_no_coverage"));

        var hereStatus = await ledger.GetStatusAsync("here", allowLastSeen: false, default);
        Assert.Equal(("month-2026-11", QuotaPeriod.Month, 3, 3), (hereStatus.PeriodKey, hereStatus.Period, hereStatus.Limit, hereStatus.Reserved));
        var hereHistory = await ledger.GetHistoryAsync("here", NovemberStart, time.GetUtcNow(), default);
        Assert.Equal(["month-2026-11"], hereHistory.Select(h => h.PeriodKey));
        var tomtomHistory = await ledger.GetHistoryAsync("tomtom", NovemberStart, time.GetUtcNow().AddTicks(1), default);
        Assert.Equal(["day-2026-11-29", "day-2026-11-30"], tomtomHistory.Select(h => h.PeriodKey));
        Assert.Equal([2, 1], tomtomHistory.Select(h => h.Reserved));
    }

    [Fact]
    public async Task Current_statuses_list_configured_providers_in_order_then_others_with_a_row()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var ledger = Ledger(azurite.NewTables(), TwoProviders(hereLimit: 100), time);
        await ledger.TryReserveAsync("tomtom", 1, default);
        await ledger.TryReserveAsync("waze", 2, default); // not configured, but it used quota this period
        await ledger.TryReserveAsync("here", 4, default);

        var statuses = await ledger.GetCurrentStatusesAsync(["here", "tomtom", "mapbox"], default);

        Assert.Equal(["here", "tomtom", "mapbox", "waze"], statuses.Select(s => s.Provider));
        Assert.Equal(["month-2026-11", "day-2026-11-29", "day-2026-11-29", "day-2026-11-29"], statuses.Select(s => s.PeriodKey));
        Assert.Equal([4, 1, 0, 2], statuses.Select(s => s.Reserved));
        Assert.Equal([100, 2, 2, 2], statuses.Select(s => s.Limit));
    }

    /// <summary>
    /// Limit 2,000 in November 2026 (burst 20): allowed = 20 + floor(1981 · elapsed / 30 days). The row holds
    /// <c>reserved</c> (reserved with pacing off), then pacing is switched on and <c>count</c> more are asked for.
    /// </summary>
    [Theory]
    [InlineData(0.0, 0, 1, null)]                          // the first request of the month
    [InlineData(0.0, 19, 1, null)]                         // the burst
    [InlineData(0.0, 20, 1, QuotaLedger.DeniedQuotaPacing)]
    [InlineData(0.0, 0, 21, QuotaLedger.DeniedQuotaPacing)] // more at once than the burst
    [InlineData(15.0, 1009, 1, null)]                      // half-way: 20 + 990 = 1010 allowed
    [InlineData(15.0, 1010, 1, QuotaLedger.DeniedQuotaPacing)]
    [InlineData(15.0, 200, 1, null)]                       // behind the pace: catches up at once
    [InlineData(15.0, 1999, 2, QuotaLedger.DeniedQuotaExhausted)] // beyond the limit is exhausted, not paced
    [InlineData(29.99, 1999, 1, null)]                     // the last request, inside the period
    [InlineData(29.99, 2000, 1, QuotaLedger.DeniedQuotaExhausted)]
    public async Task Pacing_matrix(double days, int reserved, int count, string? expectedDenial)
    {
        var time = new FakeTimeProvider(NovemberStart.AddDays(days));
        var options = new TestOptionsMonitor<QuotaOptions>(new QuotaOptions { Limit = 2000, Period = QuotaPeriod.Month, Pacing = false });
        var ledger = Ledger(azurite.NewTables(), options, time);
        if (reserved > 0) Assert.True((await ledger.TryReserveAsync("here", reserved, default)).Granted);
        options.CurrentValue = new QuotaOptions { Limit = 2000, Period = QuotaPeriod.Month };

        var answer = await ledger.TryReserveAsync("here", count, default);

        Assert.Equal(expectedDenial, answer.DenialReason);
        Assert.Equal(expectedDenial is null, answer.Granted);
        Assert.Equal(expectedDenial is null ? reserved + count : reserved, answer.Reserved);
        Assert.Equal(expectedDenial is null ? reserved + count : reserved, (await ledger.GetStatusAsync("here", default)).Reserved);
        Assert.Equal(expectedDenial == QuotaLedger.DeniedQuotaPacing, answer.PacedUntilUtc is not null);
    }

    [Fact]
    public async Task A_paced_refusal_says_when_the_request_fits_and_it_does_then_not_a_tick_before()
    {
        var time = new FakeTimeProvider(NovemberStart.AddDays(3));
        var ledger = Ledger(azurite.NewTables(), new QuotaOptions { Limit = 2000, Period = QuotaPeriod.Month }, time);
        while ((await ledger.TryReserveAsync("here", 1, default)).Granted) { }
        var refused = await ledger.TryReserveAsync("here", 1, default);

        time.SetUtcNow(refused.PacedUntilUtc!.Value.AddTicks(-1));
        var early = await ledger.TryReserveAsync("here", 1, default);
        time.SetUtcNow(refused.PacedUntilUtc.Value);
        var onTime = await ledger.TryReserveAsync("here", 1, default);

        Assert.Equal(20 + 1981 * 3 / 30, refused.Reserved); // ran up to the pace of day 3 (218), no further
        Assert.Equal(QuotaLedger.DeniedQuotaPacing, early.DenialReason);
        Assert.True(onTime.Granted);
    }

    [Fact]
    public async Task Parallel_collectors_cannot_run_ahead_of_the_pace()
    {
        // 12 h into November, limit 2,000: allowed = 20 + floor(1981 / 60) = 53; 46 already reserved, 20 collectors.
        var storage = azurite.NewStorageOptions();
        var time = new FakeTimeProvider(NovemberStart.AddHours(12));
        var options = new QuotaOptions { Limit = 2000, Period = QuotaPeriod.Month };
        Assert.True((await Ledger(TestTables.Open(storage), new QuotaOptions { Limit = 2000, Period = QuotaPeriod.Month, Pacing = false }, time)
            .TryReserveAsync("here", 46, default)).Granted);
        var ledgers = Enumerable.Range(0, 20).Select(_ => Ledger(TestTables.Open(storage), options, time)).ToList();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var tasks = ledgers.Select(async l =>
        {
            await go.Task;
            return await l.TryReserveAsync("here", 1, default);
        }).ToList();
        go.SetResult();
        var answers = await Task.WhenAll(tasks);

        Assert.Equal(7, answers.Count(a => a.Granted));
        Assert.All(answers.Where(a => !a.Granted), a => Assert.Equal(QuotaLedger.DeniedQuotaPacing, a.DenialReason));
        Assert.Equal(53, (await ledgers[0].GetStatusAsync("here", default)).Reserved);
    }

    [Fact]
    public async Task Status_shows_the_pace_the_projection_and_the_paced_interval()
    {
        var time = new FakeTimeProvider(NovemberStart.AddDays(12.5)); // 12.5 of November's 30 days; noon for TomTom's day
        var options = new TestOptionsMonitor<QuotaOptions>(TwoProviders(hereLimit: 2000, defaultLimit: 100, herePacing: null));
        var ledger = Ledger(azurite.NewTables(), options, time);
        await ledger.TryReserveAsync("here", 600, default);  // behind the pace: at this rate 1,440 by the end
        await ledger.TryReserveAsync("tomtom", 95, default); // a daily quota, not paced, at 95%

        var here = await ledger.GetStatusAsync("here", default);
        var tomtom = await ledger.GetStatusAsync("tomtom", default);

        Assert.True(here.Pacing);
        Assert.Equal(20, here.PacingBurst);
        Assert.Equal(20 + 1981 * 125 / 300, here.AllowedByNow); // 845
        Assert.Equal(1440, here.ProjectedAtPeriodEnd);
        Assert.Equal(30 * 86400 / 2000.0, here.PacedIntervalSeconds); // 1,296 s: one request every 21.6 min
        Assert.False(here.Alert);
        Assert.False(tomtom.Pacing);
        Assert.Equal(100, tomtom.AllowedByNow);
        Assert.Equal(100, tomtom.ProjectedAtPeriodEnd); // 95 by noon: would need 190, the limit caps it
        Assert.Equal(864.0, tomtom.PacedIntervalSeconds);
        Assert.True(tomtom.Alert);

        // Late in the month a paced provider at 95% is on plan: no alert. Ahead of its pace (a lowered limit) it is.
        time.SetUtcNow(NovemberStart.AddDays(29).AddHours(12));
        await ledger.TryReserveAsync("here", 1300, default);
        var onPlan = await ledger.GetStatusAsync("here", default);
        options.CurrentValue = TwoProviders(hereLimit: 1910, defaultLimit: 100, herePacing: null); // pace now 1,879
        var ahead = await ledger.GetStatusAsync("here", default);
        Assert.Equal((1900, false), (onPlan.Reserved, onPlan.Alert));
        Assert.True(onPlan.UsedPercent >= 90);
        Assert.True(ahead.Reserved > ahead.AllowedByNow);
        Assert.True(ahead.Alert);
    }

    /// <summary>
    /// A collector asking once every 5 minutes for all of November 2026 (8,640 attempts) through the real ledger,
    /// recording each granted request's outcome as the cycle does. Limit 2,000, pacing and burst by default (20).
    /// Bound on gaps: thresholds are 30 days / 1,981 = 21.8 min apart and each grant comes at the first attempt at
    /// or after its threshold, so no gap between grants exceeds 25 min (21.8 rounded up to the cadence).
    /// </summary>
    [Fact]
    public async Task A_whole_month_on_a_fake_clock_stays_within_the_limit_uses_it_and_never_waits_longer_than_the_paced_step()
    {
        const int limit = 2000;
        var cadence = TimeSpan.FromMinutes(5);
        var time = new FakeTimeProvider(NovemberStart);
        var options = new QuotaOptions { Limit = 2000, Providers = { ["here"] = new ProviderQuotaOverride { Period = QuotaPeriod.Month } } };
        var ledger = Ledger(azurite.NewTables(), options, time);
        var grants = new List<DateTimeOffset>();
        var denials = new List<(DateTimeOffset At, string Reason)>();
        var clock = Stopwatch.StartNew();

        for (var t = NovemberStart; t < NovemberStart.AddMonths(1); t += cadence)
        {
            time.SetUtcNow(t);
            var answer = await ledger.TryReserveAsync("here", 1, default);
            if (answer.Granted)
            {
                grants.Add(t);
                await ledger.RecordOutcomesAsync("here", answer.ReservedAtUtc, [ProviderStatus.Ok], default);
            }
            else
            {
                denials.Add((t, answer.DenialReason!));
            }
        }
        output.WriteLine($"8,640 attempts, {grants.Count} granted, in {clock.Elapsed.TotalSeconds:0.0} s");

        var gaps = grants.Zip(grants.Skip(1), (a, b) => b - a).ToList();
        Assert.Equal(8640, grants.Count + denials.Count);
        Assert.Equal(limit, grants.Count); // ≤ limit, and none of it wasted
        // Paced until the last request; exhausted only after it, in the month's last paced step.
        Assert.All(denials.Where(d => d.At < grants[^1]), d => Assert.Equal(QuotaLedger.DeniedQuotaPacing, d.Reason));
        Assert.All(denials.Where(d => d.At > grants[^1]), d => Assert.Equal(QuotaLedger.DeniedQuotaExhausted, d.Reason));
        Assert.Equal(NovemberStart, grants[0]);
        Assert.True(gaps.Max() <= TimeSpan.FromMinutes(25), $"longest gap {gaps.Max()}");
        Assert.True(NovemberStart.AddMonths(1) - grants[^1] <= TimeSpan.FromMinutes(25), $"last grant {grants[^1]:O}");
        Assert.True(grants.Count(g => g < NovemberStart.AddDays(18)) < 1250); // not run out by day 18: 20 + 1981 · 0.6
        var status = await ledger.GetStatusAsync("here", default);
        Assert.Equal((limit, limit, 0), (status.Reserved, status.Succeeded, status.Failed));
        Assert.Equal("month-2026-11", status.PeriodKey);
    }
}
