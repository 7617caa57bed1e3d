using Ayalon.Tests.Infrastructure;
using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Quota;

[Trait("Category", "Integration")]
public sealed class QuotaLedgerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Provider = "tomtom";

    private static QuotaLedger Ledger(AyalonTables tables, QuotaOptions options, TimeProvider time) =>
        new(tables, new TestOptionsMonitor<QuotaOptions>(options), time, NullLogger<QuotaLedger>.Instance);

    private static QuotaLedger Ledger(AyalonTables tables, TestOptionsMonitor<QuotaOptions> options, TimeProvider time) =>
        new(tables, options, time, NullLogger<QuotaLedger>.Instance);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Twenty_concurrent_reservers_never_exceed_the_limit(bool rowExistsBefore)
    {
        // Arrange: 20 collectors, each with its own storage client, one shared table.
        var storage = azurite.NewStorageOptions();
        var options = new QuotaOptions { Limit = 7 };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
        if (rowExistsBefore)
        {
            var seed = Ledger(TestTables.Open(storage), new QuotaOptions { Limit = 7 }, time);
            await seed.RecordOutcomesAsync(Provider, time.GetUtcNow(), [ProviderStatus.Ok], default);
        }
        var ledgers = Enumerable.Range(0, 20).Select(_ => Ledger(TestTables.Open(storage), options, time)).ToList();
        await (await TestTables.Open(storage).GetAsync(AyalonTables.QuotaLedger)).CreateIfNotExistsAsync();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Act
        var tasks = ledgers.Select(async l =>
        {
            await go.Task;
            return await l.TryReserveAsync(Provider, 1, default);
        }).ToList();
        go.SetResult();
        var answers = await Task.WhenAll(tasks);

        // Assert
        Assert.Equal(7, answers.Count(a => a.Granted));
        Assert.Equal(13, answers.Count(a => !a.Granted));
        Assert.All(answers.Where(a => !a.Granted), a => Assert.Equal(ProviderStatus.QuotaExhausted, a.DenialReason));
        var status = await ledgers[0].GetStatusAsync(Provider, default);
        Assert.Equal(7, status.Reserved);
        Assert.Equal(0, status.Remaining);
        var row = await (await TestTables.Open(storage).GetAsync(AyalonTables.QuotaLedger))
            .GetEntityAsync<TableEntity>(Provider, "day-2026-11-27");
        Assert.Equal(7, row.Value.GetInt32("Reserved"));
    }

    [Theory]
    [InlineData(QuotaPeriod.Day, "2026-11-27T23:59:59Z", "day-2026-11-27")]
    [InlineData(QuotaPeriod.Day, "2026-11-28T00:00:00Z", "day-2026-11-28")]
    [InlineData(QuotaPeriod.Day, "2026-11-28T01:30:00+02:00", "day-2026-11-27")] // Israel local time after midnight is still the UTC day before
    [InlineData(QuotaPeriod.Month, "2026-11-30T23:59:59Z", "month-2026-11")]
    [InlineData(QuotaPeriod.Month, "2026-12-01T00:00:00Z", "month-2026-12")]
    [InlineData(QuotaPeriod.Month, "2027-01-01T00:30:00+02:00", "month-2026-12")]
    public void Period_keys_are_utc_days_or_months(QuotaPeriod period, string instant, string expectedKey)
    {
        var window = QuotaPeriods.For(period, DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expectedKey, window.Key);
        Assert.Equal(TimeSpan.Zero, window.StartUtc.Offset);
        Assert.True(window.StartUtc <= DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(window.EndUtc > DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Daily_budget_rolls_over_at_utc_midnight()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 23, 59, 58, TimeSpan.Zero));
        var ledger = Ledger(azurite.NewTables(), new QuotaOptions { Limit = 2, Period = QuotaPeriod.Day }, time);

        Assert.True((await ledger.TryReserveAsync(Provider, 2, default)).Granted);
        var refused = await ledger.TryReserveAsync(Provider, 1, default);
        time.Advance(TimeSpan.FromSeconds(2)); // 2026-11-28T00:00:00Z
        var nextDay = await ledger.TryReserveAsync(Provider, 1, default);

        Assert.False(refused.Granted);
        Assert.Equal("day-2026-11-27", refused.PeriodKey);
        Assert.True(nextDay.Granted);
        Assert.Equal("day-2026-11-28", nextDay.PeriodKey);
        Assert.Equal(1, nextDay.Remaining);
        var status = await ledger.GetStatusAsync(Provider, default);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero), status.PeriodStartUtc);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), status.PeriodEndUtc);
        Assert.Equal(1, status.Reserved);
    }

    [Fact]
    public async Task Monthly_budget_survives_midnight_and_rolls_over_at_the_month()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 23, 59, 59, TimeSpan.Zero));
        var ledger = Ledger(azurite.NewTables(), new QuotaOptions { Limit = 2, Period = QuotaPeriod.Month }, time);

        Assert.True((await ledger.TryReserveAsync(Provider, 2, default)).Granted);
        time.Advance(TimeSpan.FromSeconds(2)); // next UTC day, same month
        var sameMonth = await ledger.TryReserveAsync(Provider, 1, default);
        time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var nextMonth = await ledger.TryReserveAsync(Provider, 1, default);

        Assert.False(sameMonth.Granted);
        Assert.Equal("month-2026-11", sameMonth.PeriodKey);
        Assert.True(nextMonth.Granted);
        Assert.Equal("month-2026-12", nextMonth.PeriodKey);
    }

    [Fact]
    public async Task Every_outcome_is_counted_in_the_period_it_was_reserved_in()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 23, 59, 59, TimeSpan.Zero));
        var ledger = Ledger(azurite.NewTables(), new QuotaOptions { Limit = 10 }, time);
        var reservation = await ledger.TryReserveAsync(Provider, 3, default);
        time.Advance(TimeSpan.FromSeconds(5)); // the answers arrive after UTC midnight

        await ledger.RecordOutcomesAsync(Provider, reservation.ReservedAtUtc, [ProviderStatus.Ok], default);
        await ledger.RecordOutcomesAsync(Provider, reservation.ReservedAtUtc, [ProviderStatus.HttpError], default);
        await ledger.RecordOutcomesAsync(Provider, reservation.ReservedAtUtc, [ProviderStatus.NetworkError], default);

        var history = await ledger.GetHistoryAsync(Provider, time.GetUtcNow().AddDays(-2), time.GetUtcNow().AddDays(1), default);
        var row = Assert.Single(history);
        Assert.Equal("day-2026-11-27", row.PeriodKey);
        Assert.Equal(3, row.Reserved);
        Assert.Equal(1, row.Succeeded);
        Assert.Equal(2, row.Failed);
        Assert.Equal(new Dictionary<string, int> { ["http_error"] = 1, ["network_error"] = 1, ["ok"] = 1 }, row.ByStatus);
        Assert.Equal(time.GetUtcNow(), row.LastRequestUtc);
        var today = await ledger.GetStatusAsync(Provider, default);
        Assert.Equal(0, today.Reserved + today.Succeeded + today.Failed);
    }

    [Fact]
    public async Task Concurrent_outcomes_are_all_counted()
    {
        var storage = azurite.NewStorageOptions();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var ledgers = Enumerable.Range(0, 12).Select(_ => Ledger(TestTables.Open(storage), new QuotaOptions { Limit = 100 }, time)).ToList();

        await Task.WhenAll(ledgers.Select((l, i) =>
            l.RecordOutcomesAsync(Provider, time.GetUtcNow(), [i % 3 == 0 ? ProviderStatus.Ok : ProviderStatus.RateLimited], default)));

        var status = await ledgers[0].GetStatusAsync(Provider, default);
        Assert.Equal(4, status.Succeeded);
        Assert.Equal(8, status.Failed);
        Assert.Equal(8, status.ByStatus[ProviderStatus.RateLimited]);
    }

    [Fact]
    public async Task A_changed_limit_applies_to_the_current_row()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var options = new TestOptionsMonitor<QuotaOptions>(new QuotaOptions { Limit = 3 });
        var ledger = Ledger(azurite.NewTables(), options, time);
        Assert.True((await ledger.TryReserveAsync(Provider, 3, default)).Granted);
        Assert.False((await ledger.TryReserveAsync(Provider, 1, default)).Granted);

        options.CurrentValue = new QuotaOptions { Limit = 5 };
        var raised = await ledger.TryReserveAsync(Provider, 2, default);
        var beyond = await ledger.TryReserveAsync(Provider, 1, default);
        options.CurrentValue = new QuotaOptions { Limit = 4 };
        var lowered = await ledger.GetStatusAsync(Provider, default);

        Assert.True(raised.Granted);
        Assert.Equal(5, raised.Reserved);
        Assert.False(beyond.Granted);
        Assert.Equal(4, lowered.Limit);
        Assert.Equal(0, lowered.Remaining);
        Assert.True(lowered.UsedPercent > 100);
    }

    [Theory]
    [InlineData(8, 80.0, false)]
    [InlineData(9, 90.0, true)]
    [InlineData(10, 100.0, true)]
    public async Task Alert_is_raised_at_the_threshold(int reserved, double expectedPercent, bool expectedAlert)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var ledger = Ledger(azurite.NewTables(), new QuotaOptions { Limit = 10, AlertThresholdPercent = 90 }, time);
        await ledger.TryReserveAsync(Provider, reserved, default);

        var status = await ledger.GetStatusAsync(Provider, default);

        Assert.Equal(expectedPercent, status.UsedPercent, 6);
        Assert.Equal(expectedAlert, status.Alert);
        Assert.Equal(10 - reserved, status.Remaining);
    }

    [Fact]
    public async Task History_returns_the_rows_of_the_requested_periods_in_order()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var ledger = Ledger(azurite.NewTables(), new QuotaOptions { Limit = 10 }, time);
        for (var day = 0; day < 4; day++)
        {
            await ledger.TryReserveAsync(Provider, day + 1, default);
            time.Advance(TimeSpan.FromDays(1));
        }

        var history = await ledger.GetHistoryAsync(Provider,
            new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero), default);

        Assert.Equal(["day-2026-11-26", "day-2026-11-27"], history.Select(h => h.PeriodKey));
        Assert.Equal([2, 3], history.Select(h => h.Reserved));
    }

    [Fact]
    public async Task Release_gives_back_unsent_requests_but_never_below_what_was_recorded()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var ledger = Ledger(azurite.NewTables(), new QuotaOptions { Limit = 10 }, time);
        var r = await ledger.TryReserveAsync(Provider, 3, default);
        await ledger.RecordOutcomesAsync(Provider, r.ReservedAtUtc, [ProviderStatus.Ok], default);

        await ledger.ReleaseAsync(Provider, r.ReservedAtUtc, 1, default);
        var afterOne = await ledger.GetStatusAsync(Provider, default);
        await ledger.ReleaseAsync(Provider, r.ReservedAtUtc, 5, default);
        var afterAll = await ledger.GetStatusAsync(Provider, default);

        Assert.Equal(2, afterOne.Reserved);
        Assert.Equal(1, afterAll.Reserved);
    }

    [Fact]
    public async Task Unknown_statuses_and_bad_provider_names_are_refused()
    {
        var ledger = Ledger(azurite.NewTables(), new QuotaOptions(), TimeProvider.System);

        await Assert.ThrowsAsync<ArgumentException>(() => ledger.RecordOutcomesAsync(Provider, DateTimeOffset.UtcNow, ["fine"], default));
        await Assert.ThrowsAsync<ArgumentException>(() => ledger.TryReserveAsync("tom/tom", 1, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.TryReserveAsync(Provider, 0, default));
    }
}
