using System.ComponentModel.DataAnnotations;

namespace Ayalon.Core.Traffic;

/// <summary>Settings section <c>TomTom</c> (environment: <c>TomTom__BaseUrl</c>, <c>TomTom__ApiKey</c>, …).</summary>
public sealed class TomTomOptions
{
    public const string SectionName = "TomTom";

    [Required, Url]
    public string BaseUrl { get; set; } = "https://api.tomtom.com";

    /// <summary>The key. In Azure an app setting holding a Key Vault reference; never logged or echoed.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Flow Segment Data zoom level; 10 returns whole motorway segments (several km).</summary>
    [Range(0, 22)]
    public int Zoom { get; set; } = 10;

    /// <summary>Per attempt, headers and body together.</summary>
    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Pause before the single retry (after a timeout, 5xx or network error), so a blip can pass.</summary>
    [Range(0, 30_000)]
    public int RetryDelayMilliseconds { get; set; } = 500;
}
