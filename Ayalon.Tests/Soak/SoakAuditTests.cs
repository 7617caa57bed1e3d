using Ayalon.Core.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Soak;

/// <summary>The audit recomputes every soak cycle from the raw archive and finds what was stored.</summary>
[Trait("Category", "Integration")]
[Collection(SoakCollection.Name)]
public sealed class SoakAuditTests(SoakFixture soak)
{
    [Fact]
    public async Task Audit_finds_no_difference_after_the_soak()
    {
        var failures = new List<string>();
        foreach (var (name, run, _) in soak.Runs)
        {
            // On the in-memory run everything before the last storage restart went with the storage.
            var differences = await RunAuditAsync(run, run.WipedAtUtc ?? run.StartUtc, run.EndUtc);
            if (differences.Count > 0) failures.Add($"{name}: {differences.Count} differences, first: " + string.Join("\n  ", differences.Take(5)));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The audit as the app wires it, over [from, to): its differences, each as text.</summary>
    private static async Task<IReadOnlyList<string>> RunAuditAsync(SoakRun run, DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        var audit = run.Host.Services.GetRequiredService<CycleAudit>();
        var report = await audit.RunAsync(fromUtc, toUtc, CancellationToken.None);
        return report.Differences.Select(d => d.Line).ToList();
    }
}
