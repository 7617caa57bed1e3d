namespace Ayalon.Tests.Browser;

/// <summary>
/// The browser tests run on their own, after the parallel classes: they measure first-render time, and chromium,
/// the DevHost and Azurite already share two cores among themselves.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
