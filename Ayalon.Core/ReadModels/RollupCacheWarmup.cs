using Ayalon.Core.Corridor;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ayalon.Core.ReadModels;

/// <summary>
/// Reads the settled hourly rollups of the longest hourly history range (90 days) once at start, in the
/// background, so the first history request after a restart is served from memory like every later one
/// (a cold 90-day read from Table Storage takes seconds). Storage being down only delays the warm-up to the first request.
/// </summary>
public sealed class RollupCacheWarmup(RollupReader reader, CorridorDefinition corridor, TimeProvider time,
    Microsoft.Extensions.Configuration.IConfiguration configuration, ILogger<RollupCacheWarmup> logger)
    : BackgroundService
{
    public static readonly TimeSpan Span = TimeSpan.FromDays(90);

    /// <summary>Setting to turn the warm-up off (tests that write past hours directly after start use it).</summary>
    public const string EnabledSetting = "Api:WarmRollupCache";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (string.Equals(configuration[EnabledSetting], "false", StringComparison.OrdinalIgnoreCase)) return;
        var now = time.GetUtcNow();
        try
        {
            await reader.ReadAsync(now - Span, now, corridor.Sections.Select(s => s.Id).ToList(), stoppingToken).ConfigureAwait(false);
            logger.LogInformation("Hourly rollups of the last {Days} days cached for history requests", Span.TotalDays);
        }
        catch (Exception ex) when (Storage.StorageFailure.Is(ex) || ex is InvalidOperationException)
        {
            logger.LogWarning("Rollup cache warm-up skipped: storage unavailable ({ExceptionType})", ex.GetType().Name);
        }
    }
}
