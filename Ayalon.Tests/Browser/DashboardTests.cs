using System.Globalization;
using System.Text.Json;
using Ayalon.DevHost.Simulator;
using Microsoft.Playwright;

namespace Ayalon.Tests.Browser;

/// <summary>
/// The public dashboard in Debian chromium against the DevHost on a real port, with Azurite, the simulator and the
/// real API.
/// </summary>
[Trait("Category", "Browser")]
[Collection(BrowserCollection.Name)]
public sealed class DashboardTests(AzuriteFixture azurite, ChromiumFixture chromium)
    : IClassFixture<AzuriteFixture>, IClassFixture<ChromiumFixture>
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static double? Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    [Fact]
    public async Task Page_loads_and_shows_the_APIs_numbers_with_no_console_errors_no_failed_requests_and_no_foreign_host()
    {
        // A day of history: a cycle every 30 min for the last 12 h (fake clock), so the chart and today's counters
        // have something to show.
        await using var host = await DashboardHost.StartAsync(azurite, fakeClock: true, clockStart: DateTimeOffset.UtcNow.AddHours(-12));
        await host.CollectAsync(25, TimeSpan.FromMinutes(30));
        await using var page = await host.OpenAsync(chromium.Browser);
        await page.GotoAsync();
        var impact = Json(await host.Host.Client.GetStringAsync("/api/impact"));
        var p = page.Page;

        // Banner
        Assert.Equal("healthy", await p.GetAttributeAsync("#status", "data-status"));
        Assert.Contains("Healthy", await p.TextContentAsync("#status-title"));
        Assert.Matches(@"\d{2}:\d{2} Israel time \(GMT\+[23]\)", await p.TextContentAsync("#last-updated"));

        // Section table: one row per API section, the raw numbers the API sent, and the delay as text.
        var sections = impact.GetProperty("sections").EnumerateArray().ToList();
        Assert.Equal(6, sections.Count);
        foreach (var s in sections)
        {
            var id = s.GetProperty("sectionId").GetString();
            var row = p.Locator($"#sections-table tbody tr[data-section='{id}']");
            Assert.Equal(s.GetProperty("state").GetString(), await row.Locator("td[data-key=state]").GetAttributeAsync("data-value"));
            if (Num(s, "delaySeconds") is { } delay)
            {
                var cell = row.Locator("td[data-key=delay]");
                Assert.Equal(delay, double.Parse((await cell.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture), 6);
                Assert.Contains(Math.Round(delay).ToString("0", CultureInfo.InvariantCulture), (await cell.TextContentAsync())!.Replace(",", ""));
                Assert.Equal(Num(s, "speedKmh")!.Value, double.Parse((await row.Locator("td[data-key=speed]").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture), 6);
            }
        }

        // Direction cards
        foreach (var d in impact.GetProperty("directions").EnumerateArray())
        {
            var card = p.Locator($".card[data-direction='{d.GetProperty("direction").GetString()}']");
            Assert.Equal(1, await card.CountAsync());
            if (d.GetProperty("state").GetString() == "ok")
            {
                Assert.Equal(Num(d, "delaySeconds")!.Value, double.Parse((await card.Locator("dd[data-key=delay]").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture), 6);
                Assert.Equal(Num(d, "travelTimeSeconds")!.Value, double.Parse((await card.Locator("dd[data-key=travel]").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture), 6);
            }
        }

        // Map: every section drawn from the geometry, both carriageways, with the OSM credit.
        Assert.Equal(6, await p.Locator("#map svg path[data-section]").CountAsync());
        Assert.Equal(3, await p.Locator("#map svg path[data-section^='ayalon_n_']").CountAsync());
        Assert.Equal(3, await p.Locator("#map svg path[data-section^='ayalon_s_']").CountAsync());
        Assert.Contains("© OpenStreetMap contributors", await p.TextContentAsync("#map-attribution"));

        // Counters: the simulator runs with the synthetic demo profile, labelled as such.
        var todayImpact = impact.GetProperty("today").GetProperty("impact");
        Assert.True(todayImpact.GetProperty("available").GetBoolean());
        Assert.Equal(Num(todayImpact, "vehicleHours")!.Value,
            double.Parse((await p.GetAttributeAsync(".counter[data-key=vehicleHours] .counter-value", "data-value"))!, CultureInfo.InvariantCulture), 6);
        Assert.Equal(Num(todayImpact, "co2Kg")!.Value,
            double.Parse((await p.GetAttributeAsync(".counter[data-key=co2] .counter-value", "data-value"))!, CultureInfo.InvariantCulture), 6);
        Assert.Contains("synthetic demo profile", await p.TextContentAsync("#counters-note"));

        // Chart: drawn (a canvas with pixels) from the history's direction series.
        Assert.True(int.Parse((await p.GetAttributeAsync("#chart-figure", "data-points"))!, CultureInfo.InvariantCulture) > 0);
        Assert.True(await p.EvaluateAsync<bool>("() => typeof Chart === 'function' && !!Chart.getChart(document.getElementById('chart'))"));

        // Sources and collector panels
        var sourcesText = (await p.TextContentAsync("#sources"))!;
        Assert.Contains("here", sourcesText, StringComparison.OrdinalIgnoreCase);
        // The fuel price of today's local month from the shipped table, with its source; another month's says whose.
        var fuel = impact.GetProperty("sources").GetProperty("fuelPrice");
        Assert.Contains(fuel.GetProperty("source").GetString()!, sourcesText);
        var fuelMonth = fuel.GetProperty("month").GetString()!;
        if (fuelMonth != fuel.GetProperty("forMonth").GetString()) Assert.Contains($"price of {fuelMonth}", sourcesText);
        Assert.Equal(Num(todayImpact, "fuelCostIls")!.Value,
            double.Parse((await p.GetAttributeAsync(".counter[data-key=fuelCost] .counter-value", "data-value"))!, CultureInfo.InvariantCulture), 6);
        Assert.Equal("25", await p.GetAttributeAsync("#collector dd[data-key=cycles]", "data-value"));
        // Quota: one row per configured provider (here, tomtom), each with used / limit and its projection. The
        // simulator's HERE surface measures everything, so TomTom is never asked.
        Assert.Equal("0", await p.GetAttributeAsync("#collector dd[data-key=quota-tomtom]", "data-value"));
        Assert.True(int.Parse((await p.GetAttributeAsync("#collector dd[data-key=quota-here]", "data-value"))!, CultureInfo.InvariantCulture) > 0);
        var hereQuota = (await p.TextContentAsync("#collector dd[data-key=quota-here]"))!;
        Assert.Contains("of 2,500 this day (UTC)", hereQuota, StringComparison.Ordinal);
        Assert.Contains("projected at period end", hereQuota, StringComparison.Ordinal);
        Assert.Contains("Requests used — tomtom", (await p.TextContentAsync("#collector"))!, StringComparison.Ordinal);

        await page.ScreenshotAsync("dashboard-1440-en.png");

        Assert.Empty(page.ConsoleErrors);
        Assert.Empty(page.FailedRequests);
        Assert.All(page.Requests, url => Assert.Equal(host.BaseAddress.Authority, new Uri(url).Authority));
        // Nothing of the provider reaches the page: not its URL, not the key.
        var html = await p.ContentAsync();
        Assert.DoesNotContain(host.Host.Simulator!.BaseUrl.Authority, html);
        Assert.DoesNotMatch(@"[?&]key=", html);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("he")]
    [InlineData("ar")]
    [InlineData("ru")]
    public async Task Phone_width_fits_without_horizontal_scrolling(string lang)
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync();
        foreach (var (w, h) in new[] { (390, 844), (360, 780) })
        {
            await using var page = await host.OpenAsync(chromium.Browser, w, h, storageLanguage: lang);
            await page.GotoAsync();
            Assert.Equal(lang is "he" or "ar" ? "rtl" : "ltr", await page.Page.GetAttributeAsync("html", "dir"));
            var scrollWidth = await page.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            var wide = scrollWidth <= w ? "" : await page.Page.EvaluateAsync<string>(@"w => [...document.querySelectorAll('body *')]
                .filter(e => { const r = e.getBoundingClientRect(); return !e.closest('.table-scroll') && (r.right > w + 0.5 || r.left < -0.5); })
                .slice(-5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().width) + 'px: ' + (e.textContent || '').slice(0, 40)).join(' | ')", w);
            Assert.True(scrollWidth <= w, $"{lang} at {w} px: the page is {scrollWidth} px wide; widest: {wide}");
            if (w == 390) await page.ScreenshotAsync($"dashboard-390-{lang}.png");
            Assert.Empty(page.ConsoleErrors);
        }
    }

    [Fact]
    public async Task Every_control_is_reachable_with_the_keyboard()
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync();
        await using var page = await host.OpenAsync(chromium.Browser);
        await page.GotoAsync();
        var reached = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            await page.Page.Keyboard.PressAsync("Tab");
            reached.Add(await page.Page.EvaluateAsync<string>("() => { const a = document.activeElement; return a.id || (a.hreflang ? 'lang-' + a.hreflang : '') || a.name || a.className || a.tagName; }"));
        }
        Assert.Contains("lang-he", reached);
        Assert.Contains("lang-ar", reached);
        Assert.Contains("lang-ru", reached);
        Assert.Contains("refresh-toggle", reached);
        Assert.Contains("window", reached); // the radio group (arrow keys move within it)
        Assert.Contains("csv-link", reached);
    }

    [Fact]
    public async Task Window_selector_changes_the_charts_data_range()
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync();
        await using var page = await host.OpenAsync(chromium.Browser);
        await page.GotoAsync();
        var p = page.Page;

        async Task<TimeSpan> RangeAsync()
        {
            var from = DateTimeOffset.Parse((await p.GetAttributeAsync("#chart-figure", "data-from-utc"))!, CultureInfo.InvariantCulture);
            var to = DateTimeOffset.Parse((await p.GetAttributeAsync("#chart-figure", "data-to-utc"))!, CultureInfo.InvariantCulture);
            return to - from;
        }
        Assert.Equal(TimeSpan.FromHours(24), await RangeAsync());
        Assert.Equal("24h", await p.GetAttributeAsync("#chart-figure", "data-window"));

        foreach (var (value, span, granularity) in new[] { ("7d", TimeSpan.FromDays(7), "hour"), ("30d", TimeSpan.FromDays(30), "day"), ("24h", TimeSpan.FromHours(24), "hour") })
        {
            var request = p.WaitForRequestAsync(r => r.Url.Contains("/api/impact/history") && !r.Url.Contains("format=csv") && r.Url.Contains("granularity=" + granularity));
            await p.CheckAsync($"input[name=window][value='{value}']");
            var url = new Uri((await request).Url);
            await page.WaitUntilAsync($"() => document.getElementById('chart-figure').dataset.window === '{value}'");
            // The API widens a range to whole buckets of its granularity (whole local days for "day").
            var shown = await RangeAsync();
            var bucket = granularity == "day" ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);
            Assert.InRange(shown, span, span + bucket + bucket);
            var query = System.Web.HttpUtility.ParseQueryString(url.Query);
            Assert.Equal(span, DateTimeOffset.Parse(query["to"]!, CultureInfo.InvariantCulture) - DateTimeOffset.Parse(query["from"]!, CultureInfo.InvariantCulture));
            // The CSV link asks for the same range.
            var csv = System.Web.HttpUtility.ParseQueryString(new Uri(host.BaseAddress, (await p.GetAttributeAsync("#csv-link", "href"))!).Query);
            Assert.Equal(query["from"], csv["from"]);
            Assert.Equal(query["to"], csv["to"]);
            Assert.Equal("csv", csv["format"]);
        }
        Assert.Empty(page.ConsoleErrors);
    }

    [Fact]
    public async Task Csv_link_downloads_parseable_csv()
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync(2);
        await using var page = await host.OpenAsync(chromium.Browser);
        await page.GotoAsync();

        var download = await page.Page.RunAndWaitForDownloadAsync(() => page.Page.ClickAsync("#csv-link"));
        var path = await download.PathAsync();
        var lines = (await File.ReadAllLinesAsync(path!)).Where(l => l.Length > 0).ToList();
        Assert.Equal(Ayalon.Core.ReadModels.HistoryService.CsvHeader, lines[0]);
        Assert.True(lines.Count > 1, "the CSV has data rows");
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            Assert.Equal(14, fields.Length);
            Assert.True(DateTimeOffset.TryParse(fields[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _), fields[0]);
            Assert.Contains(fields[2], new[] { "section", "direction" });
            foreach (var n in fields.Skip(3).Where(x => x.Length > 0))
            {
                Assert.True(double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out _), $"'{n}' in: {line}");
            }
        }
        Assert.Contains(lines, l => l.Contains(",northbound,direction,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Banner_says_stale_when_the_collector_has_been_stopped_long_enough()
    {
        await using var host = await DashboardHost.StartAsync(azurite, fakeClock: true);
        await host.CollectAsync();
        host.Clock!.Advance(TimeSpan.FromMinutes(40)); // 45 min since the cycle: the banner says stale (30 min – 2 h)
        await using var page = await host.OpenAsync(chromium.Browser);
        await page.GotoAsync();
        Assert.Equal("stale", await page.Page.GetAttributeAsync("#status", "data-status"));
        Assert.StartsWith("Stale", await page.Page.TextContentAsync("#status-title"));
        Assert.Contains("min ago", await page.Page.TextContentAsync("#data-age"));
        Assert.Equal("old", await page.Page.GetAttributeAsync("#sections-table td[data-key=state]", "data-value")); // > 30 min
    }

    [Fact]
    public async Task Banner_says_the_provider_has_no_coverage_when_the_simulator_answers_so()
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        host.Host.Simulator!.Faults.Set(FaultKind.NoCoverage);
        await host.CollectAsync();
        await using var page = await host.OpenAsync(chromium.Browser);
        await page.GotoAsync();
        Assert.Equal("no_coverage", await page.Page.GetAttributeAsync("#status", "data-status"));
        Assert.Equal("The traffic provider has no coverage here", await page.Page.TextContentAsync("#status-title"));
        Assert.Contains("no_coverage", await page.Page.TextContentAsync("#sources"));
        await page.ScreenshotAsync("dashboard-1440-en-no-coverage.png");
    }

    [Fact]
    public async Task A_renderer_that_throws_shows_its_panels_error_the_others_still_render_and_the_next_refresh_happens()
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync();
        await using var page = await host.OpenAsync(chromium.Browser);
        var p = page.Page;
        await p.Clock.InstallAsync();
        // A malformed field on the wire: "directions" an object with a length instead of an array, so the directions
        // renderer throws (not iterable) while every other panel gets a sound answer.
        var malformed = true;
        await p.RouteAsync("**/api/impact", async route =>
        {
            if (!malformed)
            {
                await route.ContinueAsync();
                return;
            }
            var headers = route.Request.Headers.Where(h => !h.Key.Equals("if-none-match", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key, h => h.Value);
            var response = await route.FetchAsync(new RouteFetchOptions { Headers = headers });
            var impact = System.Text.Json.Nodes.JsonNode.Parse(await response.TextAsync())!.AsObject();
            impact["directions"] = new System.Text.Json.Nodes.JsonObject { ["length"] = 1 };
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = impact.ToJsonString() });
        });

        await page.GotoAsync();

        Assert.Equal("This panel could not be drawn; it will be tried again at the next refresh.",
            await p.TextContentAsync("section:has(#directions) [data-panel-error=directions]"));
        Assert.Equal(1, await p.Locator("[data-panel-error]").CountAsync()); // only that panel
        Assert.Equal("healthy", await p.GetAttributeAsync("#status", "data-status"));
        Assert.Equal(6, await p.Locator("#sections-table tbody tr[data-section]").CountAsync());
        Assert.Equal(6, await p.Locator("#map [data-section]").CountAsync());
        Assert.NotEmpty((await p.TextContentAsync("#sources dd[data-key=provider]"))!.Trim());
        Assert.Equal(4, await p.Locator("#counters .counter").CountAsync());
        Assert.NotEmpty((await p.TextContentAsync("#collector"))!.Trim()); // drawn after the failing panel
        Assert.Contains(page.ConsoleErrors, e => e.Contains("panel directions", StringComparison.Ordinal));
        Assert.Matches(@"^Next refresh in (60|59) s$", await p.TextContentAsync("#refresh-countdown")); // auto-refresh still armed

        malformed = false;
        await p.Clock.RunForAsync(61_000);
        await page.WaitForRefreshAsync(2);

        Assert.Equal(0, await p.Locator("[data-panel-error]").CountAsync());
        Assert.Equal(2, await p.Locator("#directions article[data-direction]").CountAsync());
        Assert.Equal(6, await p.Locator("#sections-table tbody tr[data-section]").CountAsync());
    }

    [Fact]
    public async Task Banner_says_the_road_is_closed_when_every_section_reports_a_closure()
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        host.Host.Simulator!.Faults.Set(FaultKind.RoadClosure);
        await host.CollectAsync();
        await using var page = await host.OpenAsync(chromium.Browser);
        await page.GotoAsync();
        Assert.Equal("closed", await page.Page.GetAttributeAsync("#status", "data-status"));
        Assert.StartsWith("Road closed", await page.Page.TextContentAsync("#status-title"));
        Assert.Contains("The monitor is working", await page.Page.TextContentAsync("#status-detail"));
    }

    [Fact]
    public async Task Auto_refresh_rereads_the_API_every_60_s_with_ETags_pauses_and_never_collects()
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync();
        var providerRequests = host.Host.Simulator!.RequestCount;
        await using var page = await host.OpenAsync(chromium.Browser);
        await page.Page.Clock.InstallAsync();
        await page.GotoAsync();
        var p = page.Page;
        Assert.Matches(@"Next refresh in \d+ s", await p.TextContentAsync("#refresh-countdown"));

        var before = host.Responses.Entries.Count;
        await p.Clock.RunForAsync(61_000);
        await page.WaitForRefreshAsync(2);
        // Nothing changed since the first read: the browser revalidated with the ETag and got 304s.
        var second = host.Responses.Entries.Skip(before).ToList();
        Assert.Contains(second, r => r.Path == "/api/impact" && r.Status == 304 && r.IfNoneMatch is not null);
        Assert.Contains(second, r => r.Path == "/api/impact/history" && r.Status == 304 && r.IfNoneMatch is not null);
        Assert.Matches(@"^Next refresh in (60|59|58) s$", await p.TextContentAsync("#refresh-countdown")); // restarted

        await p.ClickAsync("#refresh-toggle");
        Assert.Equal("true", await p.GetAttributeAsync("#refresh-toggle", "aria-pressed"));
        Assert.Equal("Auto-refresh paused", await p.TextContentAsync("#refresh-countdown"));
        await p.Clock.RunForAsync(130_000);
        Assert.Equal("2", await p.GetAttributeAsync("body", "data-refreshes"));

        await p.ClickAsync("#refresh-toggle");
        await p.Clock.RunForAsync(61_000);
        await page.WaitForRefreshAsync(3);

        Assert.Equal(providerRequests, host.Host.Simulator.RequestCount); // the page never caused a collection
        Assert.DoesNotContain(page.Requests, u => u.Contains("/admin", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(page.ConsoleErrors);
        Assert.True(page.FailedRequests.Count == 0, string.Join("\n", page.FailedRequests));
    }

    /// <summary>
    /// What one visit ships, without the chart library: HTML, CSS, every script, and the one dictionary of the
    /// language shown (dictionaries are fetched per language) — under 100 KB for each language.
    /// </summary>
    [Fact]
    public void Page_weight_without_the_chart_library_is_under_100_KB_in_every_language()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(Path.Combine(root, "lib"), StringComparison.Ordinal))
            .Where(f => f.EndsWith(".html", StringComparison.Ordinal) || f.EndsWith(".js", StringComparison.Ordinal) || f.EndsWith(".css", StringComparison.Ordinal))
            .ToList();
        var bytes = files.Sum(f => new FileInfo(f).Length);
        var dictionaries = TranslationTests.Languages.ToDictionary(l => l, l => new FileInfo(Path.Combine(root, "i18n", l + ".json")).Length);
        Assert.All(dictionaries, d => Assert.True(bytes + d.Value < 100 * 1024, $"HTML+JS+CSS {bytes} + {d.Key}.json {d.Value} bytes"));
        Assert.True(File.Exists(Path.Combine(root, "lib", "chart.umd.min.js")), "the build copied the chart library into wwwroot/lib");
        foreach (var f in files.Concat(dictionaries.Keys.Select(l => Path.Combine(root, "i18n", l + ".json"))))
        {
            var text = File.ReadAllText(f);
            Assert.DoesNotContain("tomtom.com", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("http://", text.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
        }
    }
}
