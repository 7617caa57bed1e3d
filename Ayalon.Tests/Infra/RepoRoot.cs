namespace Ayalon.Tests.Infra;

internal static class RepoRoot
{
    /// <summary>The folder holding Ayalon.sln, found by walking up from the test binaries.</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ayalon.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No Ayalon.sln above {AppContext.BaseDirectory}.");
    }
}
