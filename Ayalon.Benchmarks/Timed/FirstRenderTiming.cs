using System.Globalization;
using Microsoft.Playwright;

namespace Ayalon.Benchmarks.Timed;

/// <summary>
/// The dashboard's first render with data: headless Debian chromium (Playwright, <c>/usr/bin/chromium</c>; never
/// <c>playwright install</c>) against the DevHost after 25 cycles half an hour apart and one warm-up read of each
/// route (a running server, not the process's first request). The figure is the page's own
/// <c>performance.mark('ayalon:first-data-render')</c>, set when the current-state panels have been drawn; each
/// load is a fresh browser context at 1440×900. Target (docs/BENCHMARKS.md): 1 s.
/// </summary>
public static class FirstRenderTiming
{
    private const string Chromium = "/usr/bin/chromium";

    public static async Task<int> RunAsync(int runs)
    {
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} not found: apt-get install -y chromium");
        await using var host = await TimedHost.StartAsync(DateTimeOffset.UtcNow.AddHours(-12));
        await host.CollectAsync(25, TimeSpan.FromMinutes(30));
        foreach (var path in new[] { "/", "/api/impact", "/api/health", "/api/corridor", "/api/analytics?window=24h" })
        {
            using var response = await host.Client.GetAsync(path);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
                Locale = "en-GB",
            });
            var page = await context.NewPageAsync();
            await page.GotoAsync(host.BaseAddress.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            // Polled from here: the page's CSP (no 'unsafe-eval') refuses Playwright's WaitForFunction.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!await page.EvaluateAsync<bool>("() => performance.getEntriesByName('ayalon:first-data-render').length > 0"))
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("the page never rendered data");
                await Task.Delay(20);
            }
            times.Add(await page.EvaluateAsync<double>("() => performance.getEntriesByName('ayalon:first-data-render')[0].startTime"));
        }
        var sorted = times.Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dashboard first render with data, {runs} loads: {string.Join(", ", times.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))} ms; median {sorted[sorted.Count / 2]:0} ms; load {TimedHost.LoadAverage()}"));
        return 0;
    }
}
