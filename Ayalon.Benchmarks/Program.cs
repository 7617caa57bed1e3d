using System.Globalization;
using Ayalon.Benchmarks.Timed;
using BenchmarkDotNet.Running;

namespace Ayalon.Benchmarks;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet suites by default; <c>history [runs]</c> and <c>first-render [runs]</c> are timed commands
    /// against the running app (Azurite, DevHost, chromium), run through scripts/bench-timed.sh.
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        int Runs(int fallback) => args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : fallback;
        switch (args.FirstOrDefault())
        {
            case "history":
                return await HistoryTiming.RunAsync(Runs(5));
            case "first-render":
                return await FirstRenderTiming.RunAsync(Runs(3));
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }
}
