using Ayalon.Tests.Infrastructure;
using Ayalon.Core.Collection;
using Ayalon.Core.Storage;
using Ayalon.Tests.Quota;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Collection;

[Trait("Category", "Integration")]
public sealed class CycleLeaseTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    private static CycleLease Lease(AyalonTables tables, TimeProvider time, int minIntervalSeconds = 60) =>
        new(tables, new TestOptionsMonitor<CollectorOptions>(new CollectorOptions { MinIntervalSeconds = minIntervalSeconds }),
            time, NullLogger<CycleLease>.Instance);

    [Fact]
    public async Task A_second_cycle_one_second_later_is_skipped_and_says_why()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
        var lease = Lease(azurite.NewTables(), time);

        var first = await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-A", Minute, default);
        time.Advance(TimeSpan.FromSeconds(1));
        var second = await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-B", Minute, default);

        Assert.True(first.Acquired);
        Assert.False(second.Acquired);
        Assert.Equal("cycle-A", second.PreviousHolderId);
        Assert.Equal(LeaseSkipReason.MinInterval, second.SkipCode);
        Assert.StartsWith("min_interval: previous cycle cycle-A started 1 s ago", second.SkipReason);
    }

    [Fact]
    public async Task A_cycle_after_the_minimum_interval_takes_the_lease()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
        var lease = Lease(azurite.NewTables(), time);
        await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-A", lease.DefaultMinInterval, default);

        time.Advance(TimeSpan.FromSeconds(59));
        var early = await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-B", lease.DefaultMinInterval, default);
        time.Advance(TimeSpan.FromSeconds(1));
        var onTime = await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-C", lease.DefaultMinInterval, default);
        time.Advance(TimeSpan.FromSeconds(30));
        var afterC = await lease.TryAcquireAsync(CycleLease.CollectionLease, "cycle-D", lease.DefaultMinInterval, default);

        Assert.False(early.Acquired);
        Assert.True(onTime.Acquired);
        Assert.Equal("cycle-A", onTime.PreviousHolderId);
        Assert.False(afterC.Acquired);
        Assert.Equal("cycle-C", afterC.PreviousHolderId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Of_ten_concurrent_claims_exactly_one_wins(bool rowExistsBefore)
    {
        var storage = azurite.NewStorageOptions();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
        if (rowExistsBefore)
        {
            Assert.True((await Lease(TestTables.Open(storage), time).TryAcquireAsync(CycleLease.CollectionLease, "old", Minute, default)).Acquired);
            time.Advance(TimeSpan.FromMinutes(5));
        }
        else
        {
            await (await TestTables.Open(storage).GetAsync(AyalonTables.CycleLeases)).CreateIfNotExistsAsync();
        }
        var leases = Enumerable.Range(0, 10).Select(_ => Lease(TestTables.Open(storage), time)).ToList();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var tasks = leases.Select(async (l, i) =>
        {
            await go.Task;
            return await l.TryAcquireAsync(CycleLease.CollectionLease, $"cycle-{i}", Minute, default);
        }).ToList();
        go.SetResult();
        var results = await Task.WhenAll(tasks);

        var winner = Assert.Single(results, r => r.Acquired);
        Assert.All(results.Where(r => !r.Acquired), r => Assert.NotNull(r.SkipReason));
        var row = await (await TestTables.Open(storage).GetAsync(AyalonTables.CycleLeases)).GetEntityAsync<TableEntity>("lease", CycleLease.CollectionLease);
        Assert.Equal(winner.HolderId, row.Value.GetString("Holder"));
    }

    [Fact]
    public async Task Release_marks_the_cycle_finished_but_does_not_shorten_the_interval()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
        var tables = azurite.NewTables();
        var lease = Lease(tables, time);
        var first = await lease.TryAcquireAsync(CycleLease.CollectionLease, Minute, default);
        time.Advance(TimeSpan.FromSeconds(5));

        var byStranger = await lease.ReleaseAsync(CycleLease.CollectionLease, "someone-else", "ok", default);
        var byHolder = await lease.ReleaseAsync(CycleLease.CollectionLease, first.HolderId, "ok", default);
        var next = await lease.TryAcquireAsync(CycleLease.CollectionLease, Minute, default);

        Assert.True(first.Acquired);
        Assert.StartsWith("cycle-", first.HolderId);
        Assert.False(byStranger);
        Assert.True(byHolder);
        Assert.False(next.Acquired);
        var row = await (await tables.GetAsync(AyalonTables.CycleLeases)).GetEntityAsync<TableEntity>("lease", CycleLease.CollectionLease);
        Assert.Equal("ok", row.Value.GetString("Outcome"));
        Assert.Equal(time.GetUtcNow(), row.Value.GetDateTimeOffset("FinishedUtc"));
    }

    [Fact]
    public async Task Leases_with_different_names_do_not_block_each_other()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
        var lease = Lease(azurite.NewTables(), time);

        var a = await lease.TryAcquireAsync("collection", Minute, default);
        var b = await lease.TryAcquireAsync("rollup", Minute, default);

        Assert.True(a.Acquired);
        Assert.True(b.Acquired);
    }

    [Fact]
    public async Task A_start_far_in_the_future_does_not_block_collection_forever()
    {
        var tables = azurite.NewTables();
        var trueNow = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        var wrongClock = Lease(tables, new FakeTimeProvider(trueNow.AddHours(3)));
        var slightlySlowClock = Lease(tables, new FakeTimeProvider(trueNow.AddHours(3).AddSeconds(-30)));
        var rightClock = Lease(tables, new FakeTimeProvider(trueNow));
        await wrongClock.TryAcquireAsync(CycleLease.CollectionLease, "from-a-wrong-clock", Minute, default);

        var skewed = await slightlySlowClock.TryAcquireAsync(CycleLease.CollectionLease, "slow-clock", Minute, default);
        var later = await rightClock.TryAcquireAsync(CycleLease.CollectionLease, "right-clock", Minute, default);

        Assert.False(skewed.Acquired); // 30 s behind the claim: still within the interval
        Assert.True(later.Acquired);
    }
}
