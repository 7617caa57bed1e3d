namespace Ayalon.Tests.Api;

/// <summary>
/// Two days of history made by real cycles against the simulator: a cycle every 10 minutes (each held for the
/// full 600 s, so the data has no gaps) from Monday 12:05 Tel Aviv time (10:05Z) for 48 hours; the clock then
/// stands 5 minutes after the last cycle (Wednesday 10:00Z, 12:00 local). Nothing moves the clock afterwards.
/// </summary>
public sealed class HistoryFixture : IAsyncLifetime
{
    public const int Cycles = 288;
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(10);

    private readonly AzuriteFixture _azurite = new();

    public ApiHost Api { get; private set; } = null!;

    public DateTimeOffset Start => ApiHost.DefaultStart;

    public DateTimeOffset LastCycle => Start + Step * (Cycles - 1);

    public DateTimeOffset Now => Api.Clock.GetUtcNow();

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        Api = await ApiHost.StartAsync(_azurite);
        await Api.RunCyclesAsync(Cycles - 1, Step);
        await Api.RunCycleAsync();
        Api.Clock.Advance(TimeSpan.FromMinutes(5));
    }

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class HistoryCollection : ICollectionFixture<HistoryFixture>
{
    public const string Name = "two days of history";
}
