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

    /// <summary>
    /// How long a running cycle's hold on the lease lasts without renewal. The cycle renews it every third of this
    /// while it runs, so only a cycle that died (process killed, storage gone) lets it lapse; another cycle may then
    /// take the lease, and the dead one, if it wakes up, writes nothing.
    /// </summary>
    [Range(10, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>
    /// The longest a provider that keeps failing (5xx, timeout, network) is left unasked: it skips 1, 2, 4… cycles
    /// after consecutive failed cycles, but never longer than this after its last failure. 0 turns the backoff off.
    /// </summary>
    [Range(0, 1440)]
    public int ProviderBackoffMaxMinutes { get; set; } = 30;
}
