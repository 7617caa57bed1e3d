namespace Ayalon.Tests.Soak;

/// <summary>
/// Runs both soaks once for every test of the "Soak" collection and keeps their storage until the last test is done:
/// 14 simulated days on Azurite persisting to disk, and one day on Azurite in memory restarted empty twice.
/// </summary>
public sealed class SoakFixture : IAsyncLifetime
{
    public SoakRun OnDisk { get; private set; } = null!;
    public SoakRun InMemory { get; private set; } = null!;
    public SoakFigures OnDiskFigures { get; private set; } = null!;
    public SoakFigures InMemoryFigures { get; private set; } = null!;

    public IEnumerable<(string Name, SoakRun Run, SoakFigures Figures)> Runs =>
    [
        ("14 days on disk", OnDisk, OnDiskFigures),
        ("1 day in memory", InMemory, InMemoryFigures),
    ];

    public async Task InitializeAsync()
    {
        InMemory = await SoakRun.StartAsync(SoakScenarios.InMemoryStartUtc, onDisk: false);
        await InMemory.RunAsync(SoakScenarios.OneDayInMemory(), SoakScenarios.InMemoryStartUtc, SoakScenarios.InMemoryEndUtc);
        InMemoryFigures = await InMemory.ReadFiguresAsync();

        OnDisk = await SoakRun.StartAsync(SoakScenarios.FourteenDaysStartUtc, onDisk: true);
        await OnDisk.RunAsync(SoakScenarios.FourteenDaysOnDisk(), SoakScenarios.FourteenDaysStartUtc, SoakScenarios.FourteenDaysEndUtc);
        OnDiskFigures = await OnDisk.ReadFiguresAsync();
    }

    public async Task DisposeAsync()
    {
        if (OnDisk is not null) await OnDisk.DisposeAsync();
        if (InMemory is not null) await InMemory.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SoakCollection : ICollectionFixture<SoakFixture>
{
    public const string Name = "Soak";
}
