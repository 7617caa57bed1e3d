using Ayalon.Core.Corridor;

namespace Ayalon.Tests;

[Trait("Category", "Unit")]
public class CorridorLoaderTests
{
    [Fact]
    public void Default_corridor_has_six_sections_three_per_direction()
    {
        var corridor = CorridorLoader.LoadDefault();
        Assert.Equal(6, corridor.Sections.Count);
        Assert.Equal(3, corridor.InDirection("northbound").Count);
        Assert.Equal(3, corridor.InDirection("southbound").Count);
        Assert.Contains("OpenStreetMap", corridor.License);
    }
}
