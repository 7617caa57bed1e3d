namespace Ayalon.Tests.Infrastructure;

/// <summary>Finds the checkout's root (the folder holding Ayalon.sln) from the test binaries.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ayalon.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Ayalon.sln not found above the test binaries.");
    }

    /// <summary>The recorded TomTom answers, as copied into the test output.</summary>
    public static string Fixtures(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "fixtures", "tomtom", .. parts]);
}
