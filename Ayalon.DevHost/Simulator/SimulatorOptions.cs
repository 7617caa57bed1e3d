using System.ComponentModel.DataAnnotations;

namespace Ayalon.DevHost.Simulator;

/// <summary>How the simulator produces its answers.</summary>
public enum SimulatorMode
{
    /// <summary>A synthetic, deterministic diurnal congestion pattern over the corridor's own carriageways.</summary>
    Live,

    /// <summary>Recorded answers: TomTom's under <c>fixtures/tomtom/&lt;set&gt;/</c>, HERE's under <c>fixtures/here/&lt;set&gt;/</c>.</summary>
    Replay,
}

/// <summary>
/// Settings for the traffic simulator (TomTom and HERE surfaces on one port). Bound from configuration section
/// <see cref="SectionName"/> by the DevHost and checked before the simulator starts, a bad value stopping the DevHost
/// with a message naming the setting (<c>DevHost:SimulatorOptions:Port</c>); tests build it in code (and set
/// <see cref="TimeProvider"/> to a fake clock), and <see cref="TrafficSimulator.StartAsync"/> checks the same rules.
/// </summary>
public sealed class SimulatorOptions : IValidatableObject
{
    public const string SectionName = "DevHost:SimulatorOptions";

    /// <summary>Loopback port; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Seed of the deterministic traffic pattern: the same seed and time give the same answer.</summary>
    public int Seed { get; set; } = 20;

    /// <summary>A recorded TomTom set under <see cref="ReplayDirectory"/> (e.g. <c>2026-09-15</c>); set = replay mode.</summary>
    public string? ReplaySet { get; set; }

    /// <summary>Where the recorded sets live; default <c>fixtures/tomtom</c> beside the running assembly.</summary>
    public string? ReplayDirectory { get; set; }

    /// <summary>
    /// Replay serves the recording whose probe point is nearest the requested one, up to this distance. The
    /// recorded probes sit up to ~1.5 km from the corridor's section midpoints (where the collector asks), so the
    /// default lets those requests find the nearest recording, as TomTom snaps any nearby point to a road.
    /// </summary>
    [Range(0d, double.MaxValue, MinimumIsExclusive = true, ErrorMessage = "must be a positive distance in metres.")]
    public double ReplayToleranceMeters { get; set; } = 2000;

    /// <summary>Live mode: a point farther than this from every corridor section gets TomTom's 400 "Point too far…".</summary>
    [Range(0d, double.MaxValue, MinimumIsExclusive = true, ErrorMessage = "must be a positive distance in metres.")]
    public double CoverageRadiusMeters { get; set; } = 1000;

    /// <summary>TomTom surface: when set, any other key is refused with 403 (a missing or empty key always is).</summary>
    public string? RequiredKey { get; set; }

    /// <summary>
    /// HERE surface: when set, any other <c>apiKey</c> is refused with 401 (a request with neither an <c>apiKey</c> nor
    /// a bearer token always is; a bearer token must be one the token endpoint issued and still valid).
    /// </summary>
    public string? HereApiKey { get; set; }

    /// <summary>HERE OAuth: the access key id the token endpoint accepts (with <see cref="HereAccessKeySecret"/>).</summary>
    public string? HereAccessKeyId { get; set; }

    /// <summary>HERE OAuth: the secret the token endpoint verifies signatures with. Unset = no token is ever issued.</summary>
    public string? HereAccessKeySecret { get; set; }

    /// <summary>Lifetime of an issued bearer token; HERE's is 86399 s. Tests shorten it to watch a token expire.</summary>
    [Range(1, int.MaxValue)]
    public int HereTokenExpiresInSeconds { get; set; } = 86399;

    /// <summary>
    /// The legal limit HERE caps <c>speed</c> at (the Ayalon's is 90 km/h); <c>speedUncapped</c> and <c>freeFlow</c>
    /// are not capped, so at night the capped speed sits below free flow — the trap a client must not fall into.
    /// </summary>
    [Range(1d, 200d)]
    public double HereSpeedLimitKmh { get; set; } = 90;

    /// <summary>HERE live answers' confidence: in HERE's real-time band (0.7, 1.0].</summary>
    [Range(0d, 1d)]
    public double HereConfidence { get; set; } = 0.97;

    /// <summary>A recorded HERE set under <see cref="HereReplayDirectory"/>; set = the HERE surface replays it.</summary>
    public string? HereReplaySet { get; set; }

    /// <summary>Where the recorded HERE sets live; default <c>fixtures/here</c> beside the running assembly.</summary>
    public string? HereReplayDirectory { get; set; }

    /// <summary>A fault active from the start, by its wire name (e.g. <c>no_coverage</c>); see <see cref="FaultKind"/>.</summary>
    public string? Fault { get; set; }

    /// <summary>How many recent requests the request log keeps.</summary>
    [Range(1, 100_000)]
    public int RequestLogCapacity { get; set; } = 200;

    /// <summary>The <c>timeout</c> fault holds a request this long (or until the client gives up).</summary>
    [Range(1, 86_400)]
    public int TimeoutHangSeconds { get; set; } = 300;

    /// <summary>
    /// Live speeds are constant within clock-aligned steps of this many minutes, like a provider's update cycle;
    /// sampling at any multiple or fraction of the step then sees the same traffic.
    /// </summary>
    [Range(1, 1440)]
    public int PatternStepMinutes { get; set; } = 5;

    /// <summary>
    /// The clock the diurnal pattern, the request log, OAuth timestamps and token expiry follow. Added latency and
    /// timeouts use real time.
    /// </summary>
    [Required]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The TomTom surface's mode.</summary>
    public SimulatorMode Mode => string.IsNullOrWhiteSpace(ReplaySet) ? SimulatorMode.Live : SimulatorMode.Replay;

    /// <summary>The HERE surface's mode.</summary>
    public SimulatorMode HereMode => string.IsNullOrWhiteSpace(HereReplaySet) ? SimulatorMode.Live : SimulatorMode.Replay;

    internal string ResolvedReplayDirectory =>
        string.IsNullOrWhiteSpace(ReplayDirectory)
            ? Path.Combine(AppContext.BaseDirectory, "fixtures", "tomtom")
            : ReplayDirectory;

    internal string ResolvedHereReplayDirectory =>
        string.IsNullOrWhiteSpace(HereReplayDirectory)
            ? Path.Combine(AppContext.BaseDirectory, "fixtures", "here")
            : HereReplayDirectory;

    /// <summary>
    /// The rules across settings (the ranges are on the properties): a known fault; HERE's access key id and secret
    /// together; a replay folder only with a set to replay from it, and a set that is a folder name present in it.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Fault) && !SimulatorFault.TryParseKind(Fault, out _))
            yield return new ValidationResult($"'{Fault}' is not a simulator fault; known: {SimulatorFault.AllWireNames}.", [nameof(Fault)]);
        if (string.IsNullOrEmpty(HereAccessKeyId) != string.IsNullOrEmpty(HereAccessKeySecret))
        {
            var (missing, set) = string.IsNullOrEmpty(HereAccessKeyId)
                ? (nameof(HereAccessKeyId), nameof(HereAccessKeySecret))
                : (nameof(HereAccessKeySecret), nameof(HereAccessKeyId));
            yield return new ValidationResult($"is not set but {set} is: HERE's OAuth access key id and secret go together.", [missing]);
        }
        foreach (var problem in ReplayProblems("TomTom", ReplaySet, nameof(ReplaySet), ReplayDirectory, nameof(ReplayDirectory), ResolvedReplayDirectory))
            yield return problem;
        foreach (var problem in ReplayProblems("HERE", HereReplaySet, nameof(HereReplaySet), HereReplayDirectory, nameof(HereReplayDirectory), ResolvedHereReplayDirectory))
            yield return problem;
    }

    private static IEnumerable<ValidationResult> ReplayProblems(
        string surface, string? set, string setName, string? directory, string directoryName, string resolvedDirectory)
    {
        if (string.IsNullOrWhiteSpace(set))
        {
            if (!string.IsNullOrWhiteSpace(directory))
                yield return new ValidationResult($"is set but {setName} is not: the {surface} surface would not replay anything from '{directory}'.", [directoryName]);
            yield break;
        }
        var name = set.Trim();
        if (ReplaySets.IsFolderName(name) && !Directory.Exists(resolvedDirectory))
        {
            yield return new ValidationResult($"'{resolvedDirectory}' is not a folder of recorded {surface} answer sets.",
                [string.IsNullOrWhiteSpace(directory) ? setName : directoryName]);
        }
        else if (ReplaySets.Problem(resolvedDirectory, name, surface) is { } problem)
        {
            yield return new ValidationResult(problem, [setName]);
        }
    }
}
