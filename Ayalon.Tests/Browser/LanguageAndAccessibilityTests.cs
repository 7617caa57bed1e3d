using System.Text.Json;
using Microsoft.Playwright;

namespace Ayalon.Tests.Browser;

/// <summary>
/// Which language the dashboard opens in, and the axe-core accessibility engine (from npm, node_modules/axe-core)
/// run on the rendered page in every language at phone and desktop widths.
/// </summary>
[Trait("Category", "Browser")]
[Collection(BrowserCollection.Name)]
public sealed class LanguageAndAccessibilityTests(AzuriteFixture azurite, ChromiumFixture chromium)
    : IClassFixture<AzuriteFixture>, IClassFixture<ChromiumFixture>
{
    private static async Task<(string Lang, string Dir, string H1)> ShownAsync(IPage p) =>
        ((await p.GetAttributeAsync("html", "lang"))!, (await p.GetAttributeAsync("html", "dir"))!, (await p.TextContentAsync("h1"))!);

    [Fact]
    public async Task A_browser_set_to_Hebrew_opens_the_page_in_Hebrew_right_to_left()
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync();
        await using var page = await host.OpenAsync(chromium.Browser, locale: "he-IL");
        Assert.Equal("he-IL", await page.Page.EvaluateAsync<string>("() => navigator.languages[0]"));
        await page.GotoAsync();
        var (lang, dir, h1) = await ShownAsync(page.Page);
        Assert.Equal(("he", "rtl"), (lang, dir));
        Assert.Contains("ניטור", h1);
        Assert.Equal("תקין — הנתונים עדכניים", await page.Page.TextContentAsync("#status-title"));
        Assert.Contains("שעון ישראל", await page.Page.TextContentAsync("#last-updated"));
        Assert.Equal("true", await page.Page.GetAttributeAsync("#languages a[hreflang=he]", "aria-current"));
        Assert.Empty(page.ConsoleErrors);
    }

    [Theory]
    [InlineData("fr-FR", "he")]      // a language we do not have: Hebrew, the road's own
    [InlineData("ru-RU", "ru")]
    [InlineData("ar", "ar")]
    [InlineData("en-US", "en")]
    public async Task First_visit_follows_the_browsers_language_or_falls_back_to_Hebrew(string locale, string expected)
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync();
        await using var page = await host.OpenAsync(chromium.Browser, locale: locale);
        await page.GotoAsync();
        Assert.Equal(expected, (await ShownAsync(page.Page)).Lang);
    }

    [Fact]
    public async Task Lang_parameter_shows_Arabic_and_Russian_and_the_visitors_choice_is_remembered()
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync();
        await using var page = await host.OpenAsync(chromium.Browser, locale: "he-IL");
        var p = page.Page;

        await page.GotoAsync(query: "?lang=ar");
        var (lang, dir, h1) = await ShownAsync(p);
        Assert.Equal(("ar", "rtl"), (lang, dir));
        Assert.Contains("أيالون", h1);
        Assert.Equal("سليم — البيانات حديثة", await p.TextContentAsync("#status-title"));
        Assert.Equal("التأخير لكل مركبة", await p.TextContentAsync("#sections-table thead th:nth-child(5)"));
        Assert.Contains("بتوقيت إسرائيل", await p.TextContentAsync("#last-updated"));
        Assert.Matches("[0-9]", await p.TextContentAsync("#sections-table td[data-key=length]")); // Western digits in Arabic

        await page.GotoAsync(query: "?lang=ru");
        (lang, dir, h1) = await ShownAsync(p);
        Assert.Equal(("ru", "ltr"), (lang, dir));
        Assert.Contains("Аялон", h1);
        Assert.Equal("Норма — данные актуальны", await p.TextContentAsync("#status-title"));
        Assert.Contains("км", await p.TextContentAsync("#sections-table td[data-key=length]"));
        Assert.Contains(",", await p.TextContentAsync("#sections-table td[data-key=length]")); // 1,23 км: Russian decimal comma

        // A link is not a choice: without ?lang the Hebrew browser gets Hebrew again.
        await page.GotoAsync();
        Assert.Equal("he", (await ShownAsync(p)).Lang);

        // The visitor's own choice is shown at once, put in the address, and kept for the next visit.
        await p.ClickAsync("#languages a[hreflang=ru]");
        await page.WaitUntilAsync("() => document.documentElement.lang === 'ru'");
        Assert.EndsWith("?lang=ru", p.Url);
        Assert.Equal("Норма — данные актуальны", await p.TextContentAsync("#status-title"));
        await page.GotoAsync();
        Assert.Equal("ru", (await ShownAsync(p)).Lang);
        Assert.Empty(page.ConsoleErrors);
        Assert.Empty(page.FailedRequests);
    }

    [Fact]
    public async Task Only_the_shown_languages_dictionary_is_fetched()
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync();
        await using var page = await host.OpenAsync(chromium.Browser, locale: "ru-RU");
        await page.GotoAsync();
        var dictionaries = page.Requests.Where(u => u.Contains("/i18n/", StringComparison.Ordinal)).Select(u => new Uri(u).AbsolutePath).ToList();
        Assert.Equal(["/i18n/ru.json"], dictionaries);
    }

    public static TheoryData<string> AllLanguages => new(TranslationTests.Languages);

    [Theory]
    [MemberData(nameof(AllLanguages))]
    public async Task Axe_finds_no_serious_or_critical_violation_at_phone_and_desktop_widths(string lang)
    {
        await using var host = await DashboardHost.StartAsync(azurite);
        await host.CollectAsync(3);
        var axe = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "node_modules", "axe-core", "axe.min.js"));
        var found = new List<string>();
        foreach (var (w, h) in new[] { (390, 844), (1440, 900) })
        {
            await using var page = await host.OpenAsync(chromium.Browser, w, h);
            await page.GotoAsync(query: "?lang=" + lang);
            Assert.Equal(lang, (await ShownAsync(page.Page)).Lang);
            await page.WaitUntilAsync("() => typeof Chart === 'function' && !!Chart.getChart(document.getElementById('chart'))");
            // Open the collapsed chart table too, so its contents are checked.
            await page.Page.EvaluateAsync("() => { document.querySelector('details.chart-data').open = true; }");
            // Injected as a script evaluated through the DevTools protocol: the page's own CSP (script-src 'self')
            // stays on, and the page never loads axe itself.
            await page.Page.EvaluateAsync(axe);
            var result = await page.Page.EvaluateAsync<JsonElement>(@"async () => {
                const r = await axe.run(document, { resultTypes: ['violations'] });
                return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' (' + (n.failureSummary || '').replace(/\s+/g, ' ') + ')').join('; '));
            }");
            found.AddRange(result.EnumerateArray().Select(v => $"{lang} {w}px: {v.GetString()}"));
            Assert.Empty(page.ConsoleErrors);
        }
        Assert.True(found.Count == 0, string.Join("\n", found));
    }
}
