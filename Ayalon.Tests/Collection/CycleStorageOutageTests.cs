using Ayalon.Core.Collection;
using Ayalon.Core.Storage;
using Ayalon.DevHost.Simulator;
using Microsoft.Extensions.Logging;

namespace Ayalon.Tests.Collection;

/// <summary>
/// Table Storage taken away while the provider call is in flight: a private Azurite that persists to a temp folder,
/// stopped and restarted on the same port, so what was written before the outage is still there afterwards.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CycleStorageOutageTests : IAsyncLifetime
{
    private readonly string _location = Path.Combine(Path.GetTempPath(), "ayalon-azurite-" + Guid.NewGuid().ToString("N")[..8]);
    private AzuriteProcess _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteProcess.StartAsync(location: _location);

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    [Fact]
    public async Task Storage_lost_mid_cycle_fails_the_cycle_plainly_presents_nothing_partial_and_the_next_cycle_succeeds()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(_azurite.ConnectionString, simulator);
        var good = await harness.RunAsync();
        Assert.Equal(CycleStatus.Ok, good.Status);
        var observationsBefore = await harness.CountRowsAsync(AyalonTables.Observations);
        var rawBefore = await harness.CountRowsAsync(AyalonTables.RawResponses);

        // The next answer takes 2 s; storage goes away while the cycle waits for it.
        simulator.Faults.Set(FaultKind.None, 1, 2000);
        var requestsBefore = simulator.RequestCount;
        var failing = harness.RunAsync();
        await WaitUntilAsync(() => simulator.RequestCount > requestsBefore || failing.IsCompleted);
        Assert.False(failing.IsCompleted);
        await _azurite.StopAsync();
        var failure = await Assert.ThrowsAsync<CycleFailedException>(() => failing);

        // A message of ours: no SDK exception text, no endpoint, no inner exception to leak one.
        Assert.Equal("Table Storage is unavailable; the cycle is recorded when storage answers again.", failure.Message);
        Assert.Null(failure.InnerException);
        Assert.DoesNotContain("127.0.0.1", failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("RequestFailed", failure.ToString(), StringComparison.Ordinal);
        var logged = Assert.Single(harness.Logs.Lines, l => l.Level == LogLevel.Error && l.Category == typeof(CollectionCycle).FullName);
        Assert.Contains($"Cycle {failure.CycleId} failed: Table Storage is unavailable", logged.Text, StringComparison.Ordinal);

        // Storage back (same port, same data): the failed cycle left no data behind, and every request it sent is charged.
        await _azurite.StartAsync();
        var latest = await harness.LatestAsync();
        Assert.Equal(good.CycleId, latest.LastCycle?.CycleId);
        Assert.Equal(good.CycleId, latest.LastSuccessfulCycle?.CycleId);
        Assert.All(latest.Sections.Values, s => Assert.Equal(good.CycleId, s.CycleId));
        Assert.Equal(good.CycleId, Assert.Single(await harness.CycleRecordsAsync()).CycleId);
        Assert.Equal(observationsBefore, await harness.CountRowsAsync(AyalonTables.Observations));
        Assert.Equal(rawBefore, await harness.CountRowsAsync(AyalonTables.RawResponses));
        Assert.Equal(simulator.RequestCount, (await harness.QuotaAsync()).Reserved);

        var next = await harness.RunAsync();

        Assert.Equal(CycleStatus.Ok, next.Status);
        // The failed cycle is recorded now that storage answers, with the requests it sent, and the ledger's
        // success/failure counts include them: nothing sent goes uncounted.
        var records = await harness.CycleRecordsAsync();
        Assert.Equal([good.CycleId, failure.CycleId, next.CycleId], records.Select(c => c.CycleId));
        var failedRecord = records[1];
        Assert.Equal(CycleStatus.Failed, failedRecord.Status);
        Assert.StartsWith("storage_error: ", failedRecord.Message);
        Assert.Equal(simulator.RequestCount, records.Sum(r => r.RequestsUsed));
        var quota = await harness.QuotaAsync();
        Assert.Equal(simulator.RequestCount, quota.Succeeded + quota.Failed);
        Assert.Equal(observationsBefore + next.ObservationsStored, await harness.CountRowsAsync(AyalonTables.Observations));
        var observations = await harness.ObservationsAsync(good.StartedAtUtc.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(observations.Count, observations.Select(o => (o.SectionId, o.SnapshotId)).Distinct().Count());
        Assert.Equal([good.CycleId, next.CycleId], observations.Select(o => o.CycleId).Distinct().Order(StringComparer.Ordinal));
        Assert.All((await harness.LatestAsync()).Sections.Values, s => Assert.Equal(next.CycleId, s.CycleId));
        Assert.Equal(simulator.RequestCount, (await harness.QuotaAsync()).Reserved);
    }

    [Fact]
    public async Task Storage_down_when_a_cycle_starts_fails_it_plainly_without_asking_the_provider()
    {
        await using var simulator = await CycleSimulator.StartAsync();
        await using var harness = CycleHarness.Create(_azurite.ConnectionString, simulator);
        var good = await harness.RunAsync();
        var requestsBefore = simulator.RequestCount;
        await _azurite.StopAsync();

        var failure = await Assert.ThrowsAsync<CycleFailedException>(() => harness.RunAsync());

        Assert.Equal("Table Storage is unavailable; the cycle is recorded when storage answers again.", failure.Message);
        Assert.Null(failure.InnerException);
        Assert.Equal(requestsBefore, simulator.RequestCount);
        Assert.Contains(harness.Logs.Lines, l => l.Level == LogLevel.Error && l.Category == typeof(CollectionCycle).FullName &&
                                                 l.Text.Contains($"Cycle {failure.CycleId} failed: Table Storage is unavailable", StringComparison.Ordinal));

        await _azurite.StartAsync();
        var next = await harness.RunAsync();
        Assert.Equal(CycleStatus.Ok, next.Status);
        var records = await harness.CycleRecordsAsync();
        Assert.Equal([good.CycleId, failure.CycleId, next.CycleId], records.Select(c => c.CycleId));
        Assert.Equal((CycleStatus.Failed, 0), (records[1].Status, records[1].RequestsUsed));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
