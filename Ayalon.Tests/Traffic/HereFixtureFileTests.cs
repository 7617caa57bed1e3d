namespace Ayalon.Tests.Traffic;

/// <summary>The checked-in <c>fixtures/here/</c> files are exactly what <see cref="HereFixtureWriter"/> builds.</summary>
[Trait("Category", "Unit")]
public sealed class HereFixtureFileTests
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "fixtures", "here");

    [Fact]
    public void Checked_in_here_fixtures_are_the_generators_output()
    {
        var built = HereFixtureWriter.Build();
        if (Environment.GetEnvironmentVariable("AYALON_WRITE_HERE_FIXTURES") == "1")
        {
            foreach (var (relative, content) in built)
            {
                var path = Path.Combine(Folder, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content);
            }
        }

        foreach (var (relative, content) in built)
        {
            var path = Path.Combine(Folder, relative);
            Assert.True(File.Exists(path), $"fixtures/here/{relative} is missing; regenerate (see HereFixtureWriter)");
            Assert.True(content == File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal),
                $"fixtures/here/{relative} differs from the generator's output; regenerate deliberately (see HereFixtureWriter)");
        }
        var onDisk = Directory.GetFiles(Folder, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal);
        Assert.Equal(built.Keys.Order(StringComparer.Ordinal), onDisk);
    }
}
