using Ayalon.Core.Collection;
using Ayalon.DevHost.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Ayalon.Tests.Browser;

/// <summary>
/// The DevHost on a real port (Azurite + simulator), with an optional fake clock, plus what a browser test needs
/// around it: collecting on demand and a page that records console errors, failed requests and every host asked.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    private DashboardHost(DevHostInstance host, FakeTimeProvider? clock, ResponseLog responses)
    {
        Host = host;
        Clock = clock;
        Responses = responses;
    }

    public ResponseLog Responses { get; }

    public DevHostInstance Host { get; }
    public FakeTimeProvider? Clock { get; }
    public Uri BaseAddress => Host.BaseAddress;

    /// <param name="fakeClock">Run the app on a <see cref="FakeTimeProvider"/> starting at <paramref name="clockStart"/> (default now).</param>
    public static async Task<DashboardHost> StartAsync(AzuriteFixture azurite, bool fakeClock = false, IDictionary<string, string?>? settings = null,
        DateTimeOffset? clockStart = null)
    {
        var clock = fakeClock ? new FakeTimeProvider(clockStart ?? DateTimeOffset.UtcNow) : null;
        var config = new Dictionary<string, string?> { ["Collector:MinIntervalSeconds"] = "0" };
        if (settings is not null) foreach (var (k, v) in settings) config[k] = v;
        var responses = new ResponseLog();
        var host = await DevHostInstance.StartAsync(azurite, config, services =>
        {
            services.AddSingleton<IStartupFilter>(responses);
            if (clock is not null) services.AddSingleton<TimeProvider>(clock);
        });
        return new DashboardHost(host, clock, responses);
    }

    /// <summary>
    /// Runs collection cycles from the simulator, as the timer would; with a fake clock they are
    /// <paramref name="interval"/> apart (default 5 min) and the clock stays at the last one.
    /// </summary>
    public async Task CollectAsync(int cycles = 1, TimeSpan? interval = null)
    {
        for (var i = 0; i < cycles; i++)
        {
            if (i > 0) Clock?.Advance(interval ?? TimeSpan.FromMinutes(5));
            await using var scope = Host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CollectionCycle>().RunAsync("test", CancellationToken.None);
        }
    }

    /// <param name="locale">The browser's language (navigator.languages), as Chromium's --lang sets it.</param>
    /// <param name="storageLanguage">A language the visitor chose on an earlier visit.</param>
    public async Task<ObservedPage> OpenAsync(IBrowser browser, int width = 1440, int height = 900, string? storageLanguage = null,
        string locale = "en-GB")
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
            Locale = locale,
            TimezoneId = "UTC", // the page must show Israel time whatever the visitor's zone
        });
        var page = await context.NewPageAsync();
        var observed = new ObservedPage(context, page, BaseAddress);
        if (storageLanguage is not null)
        {
            await context.AddInitScriptAsync($"localStorage.setItem('ayalon.lang', '{storageLanguage}')");
        }
        return observed;
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>A page with everything it did recorded.</summary>
public sealed class ObservedPage : IAsyncDisposable
{
    public ObservedPage(IBrowserContext context, IPage page, Uri baseAddress)
    {
        Context = context;
        Page = page;
        BaseAddress = baseAddress;
        page.Console += (_, m) => { if (m.Type is "error" or "warning") ConsoleErrors.Add($"{m.Type}: {m.Text}"); };
        page.PageError += (_, e) => ConsoleErrors.Add("pageerror: " + e);
        page.RequestFailed += (_, r) => FailedRequests.Add($"{r.Method} {r.Url} {r.Failure}");
        page.Request += (_, r) => { lock (Requests) Requests.Add(r.Url); };
        page.Response += (_, r) => { if (r.Status >= 400) FailedRequests.Add($"{r.Request.Method} {r.Url} -> {r.Status}"); };
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public Uri BaseAddress { get; }
    public List<string> ConsoleErrors { get; } = [];
    public List<string> FailedRequests { get; } = [];
    public List<string> Requests { get; } = [];

    /// <summary>Opens the dashboard and waits until it has rendered the API's answers <paramref name="refreshes"/> times.</summary>
    public async Task GotoAsync(int refreshes = 1, string query = "")
    {
        await Page.GotoAsync(BaseAddress + query, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        await WaitForRefreshAsync(refreshes);
    }

    public Task WaitForRefreshAsync(int refreshes) =>
        WaitUntilAsync($"() => Number(document.body.dataset.refreshes || 0) >= {refreshes}");

    /// <summary>
    /// Polls a predicate from here. Playwright's own WaitForFunction evaluates its predicate with eval inside the
    /// page, which the page's strict Content-Security-Policy (no 'unsafe-eval') rightly refuses.
    /// </summary>
    public async Task WaitUntilAsync(string predicate, int timeoutMs = 15000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await Page.EvaluateAsync<bool>(predicate))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not true within {timeoutMs} ms: {predicate}");
            await Task.Delay(50);
        }
    }

    public async Task ScreenshotAsync(string name)
    {
        var dir = Path.Combine(RepoPaths.Root, "TestResults", "screenshots");
        Directory.CreateDirectory(dir);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name), FullPage = true });
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
