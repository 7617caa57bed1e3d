namespace Ayalon.DevHost.Simulator;

/// <summary>
/// The one rule for naming a replay set, on both surfaces: a set is one folder under its surface's directory
/// (<c>fixtures/tomtom/2026-09-15</c>, <c>fixtures/here/congested</c>), never a path. The libraries load through it
/// and <see cref="SimulatorOptions"/> checks settings with it.
/// </summary>
internal static class ReplaySets
{
    /// <summary>One folder name: not <c>.</c> or <c>..</c>, no path separator, nothing a file name cannot hold.</summary>
    public static bool IsFolderName(string set) =>
        set.Length > 0 && set is not ("." or "..") && set.IndexOfAny(['/', '\\']) < 0 && set.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;

    /// <summary>Why <paramref name="set"/> cannot be read from <paramref name="directory"/>; null when its folder is there.</summary>
    public static string? Problem(string directory, string set, string surface)
    {
        if (!IsFolderName(set)) return $"{surface} replay set '{set}' is not a folder name.";
        var folder = Path.Combine(directory, set);
        return Directory.Exists(folder) ? null : $"{surface} replay set '{set}' not found: no folder '{folder}'.";
    }

    /// <summary>The folder of <paramref name="set"/>; throws <see cref="Problem"/> when it cannot be read.</summary>
    public static string Folder(string directory, string set, string surface) =>
        Problem(directory, set, surface) is { } problem
            ? throw (IsFolderName(set) ? new DirectoryNotFoundException(problem) : new ArgumentException(problem, nameof(set)))
            : Path.Combine(directory, set);
}
