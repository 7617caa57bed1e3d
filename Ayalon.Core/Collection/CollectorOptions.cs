using System.ComponentModel.DataAnnotations;

namespace Ayalon.Core.Collection;

/// <summary>Settings section <c>Collector</c>.</summary>
public sealed class CollectorOptions
{
    public const string SectionName = "Collector";

    /// <summary>NCRONTAB with seconds, UTC. The timer function reads it as <c>%Collector:Schedule%</c>.</summary>
    [Required]
    public string Schedule { get; set; } = "0 */5 * * * *";

    /// <summary>A second cycle starting sooner than this after the last one skips (the timer can fire twice).</summary>
    [Range(0, 3600)]
    public int MinIntervalSeconds { get; set; } = 60;
}
