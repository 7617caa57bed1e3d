using System.Diagnostics;
using System.Globalization;
using Ayalon.Core.Collection;
using Ayalon.Core.Storage;
using Ayalon.DevHost.Hosting;

namespace Ayalon.DevHost.Audit;

/// <summary>
/// <c>seed-cycles --days N</c>: writes N days of collection cycles at the 5-minute cadence, ending now, into the
/// configured storage — the real collection cycle against the built-in simulator, on a clock that steps five minutes
/// per cycle — so <c>audit</c> can be measured over a full archive (scripts/audit-benchmark.sh). A development tool:
/// it refuses a table prefix that already holds cycles, so it never mixes invented history into real data.
/// </summary>
public static class SeedCyclesCommand
{
    public const string Name = "seed-cycles";
    public const string Usage = "usage: seed-cycles --days <1..30>  (with AzureWebJobsStorage and Storage__TablePrefix of an empty prefix)";

    private static readonly TimeSpan Cadence = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var days = 0;
        if (args.Length != 2 || args[0] != "--days" || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out days) || days is < 1 or > RawResponseArchive.RetentionDays)
        {
            await stderr.WriteLineAsync("seed-cycles: " + Usage).ConfigureAwait(false);
            return 2;
        }

        var now = TimeProvider.System.GetUtcNow();
        var end = new DateTimeOffset(now.Ticks - now.Ticks % Cadence.Ticks, TimeSpan.Zero);
        var clock = new SteppedClock(end - days * TimeSpan.FromDays(1) + Cadence);
        var overrides = new Dictionary<string, string?>
        {
            ["DevHost:Simulator"] = "true",
            ["DevHost:RunTimers"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var app = await DevHostApp.BuildAsync([], overrides, services => services.AddSingleton<TimeProvider>(clock)).ConfigureAwait(false);
        if ((await app.Services.GetRequiredService<CycleStore>().ReadAsync(DateTimeOffset.UnixEpoch, now.AddYears(1), CancellationToken.None).ConfigureAwait(false)).Count > 0)
        {
            await stderr.WriteLineAsync("seed-cycles: the table prefix already holds cycles; give an empty Storage__TablePrefix.").ConfigureAwait(false);
            return 2;
        }

        var watch = Stopwatch.StartNew();
        var count = 0;
        for (; clock.Now <= end; clock.Now += Cadence, count++)
        {
            await app.Services.GetRequiredService<CollectionCycle>().RunAsync("seed", CancellationToken.None).ConfigureAwait(false);
            if (clock.Now.TimeOfDay == TimeSpan.Zero)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"seed-cycles: {clock.Now:yyyy-MM-dd}, {count} cycles, {watch.Elapsed.TotalSeconds:0} s")).ConfigureAwait(false);
            }
        }
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"seed-cycles: {count} cycles up to {end:yyyy-MM-ddTHH:mm}Z in {watch.Elapsed.TotalSeconds:0.0} s")).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The seeded history's clock: moved by hand, five minutes per cycle (the app and simulator follow it).</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
