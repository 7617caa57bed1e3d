using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ayalon.Tests.Browser;

/// <summary>
/// The dashboard's dictionaries (wwwroot/i18n/*.json), checked without a browser: every language has every key,
/// the same placeholders, and every label the page asks for exists.
/// </summary>
[Trait("Category", "Unit")]
public partial class TranslationTests
{
    public static readonly string[] Languages = ["he", "ar", "ru", "en"];

    private static string Root => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>A dictionary flattened to "key", "unit.s", "method.notes[2]" → text.</summary>
    private static Dictionary<string, string> Flat(string lang)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "i18n", lang + ".json")));
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) Walk(p.Value, path.Length == 0 ? p.Name : path + "." + p.Name);
                    break;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in e.EnumerateArray()) Walk(item, $"{path}[{i++}]");
                    break;
                case JsonValueKind.String:
                    result[path] = e.GetString()!;
                    break;
                default:
                    throw new InvalidDataException($"{lang}: '{path}' is a {e.ValueKind}, not text");
            }
        }
        Walk(doc.RootElement, "");
        return result;
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();

    [Theory]
    [InlineData("he")]
    [InlineData("ar")]
    [InlineData("ru")]
    public void Every_key_of_English_exists_in_the_language_with_the_same_placeholders_and_nothing_else(string lang)
    {
        var en = Flat("en");
        var other = Flat(lang);
        Assert.Empty(en.Keys.Except(other.Keys).Order());   // missing in this language
        Assert.Empty(other.Keys.Except(en.Keys).Order());   // only in this language
        foreach (var (key, text) in other)
        {
            Assert.False(string.IsNullOrWhiteSpace(text), $"{lang}: '{key}' is empty");
            var expected = Placeholder().Matches(en[key]).Select(m => m.Value).Order();
            var actual = Placeholder().Matches(text).Select(m => m.Value).Order();
            Assert.True(expected.SequenceEqual(actual), $"{lang}: '{key}' has placeholders [{string.Join(", ", actual)}], English [{string.Join(", ", expected)}]");
        }
    }

    [Fact]
    public void Every_label_the_page_and_its_scripts_name_exists_in_English()
    {
        var en = Flat("en");
        bool Known(string key) => en.ContainsKey(key) || en.Keys.Any(k => k.StartsWith(key + "[", StringComparison.Ordinal) || k.StartsWith(key + ".", StringComparison.Ordinal));

        var html = File.ReadAllText(Path.Combine(Root, "index.html"));
        var named = Regex.Matches(html, "data-i18n=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.True(named.Count > 30, $"only {named.Count} data-i18n labels found");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "js"), "*.js", SearchOption.AllDirectories))
        {
            // Literal keys only: t('dir.delay') or t('usual.worse', {...}); computed ones ('state.' + s.state) are not listed.
            named.AddRange(Regex.Matches(File.ReadAllText(file), @"\bt\('([\w.]+)'\s*[,)]").Select(m => m.Groups[1].Value));
        }
        Assert.Empty(named.Where(k => !Known(k)).Distinct().Order());
    }

    [Fact]
    public void Every_state_and_status_the_API_can_send_has_a_label()
    {
        var en = Flat("en");
        string[] states = ["current", "stale", "old", "none", "closed", "insufficient_coverage", "ok", "incomplete"];
        string[] statuses = ["loading", "healthy", "degraded", "stale", "collector_down", "empty", "error", "no_coverage", "unreachable"];
        Assert.All(states, s => Assert.True(en.ContainsKey("state." + s), "state." + s));
        Assert.All(statuses, s => Assert.True(en.ContainsKey("status." + s), "status." + s));
        Assert.All(statuses.Where(s => s != "loading"), s => Assert.True(en.ContainsKey("statusDetail." + s), "statusDetail." + s));
    }

    [Fact]
    public void The_page_links_every_language_in_its_own_script()
    {
        var html = File.ReadAllText(Path.Combine(Root, "index.html"));
        foreach (var lang in Languages)
        {
            Assert.Matches($"<a [^>]*href=\"\\?lang={lang}\" hreflang=\"{lang}\" lang=\"{lang}\"", html);
            Assert.True(File.Exists(Path.Combine(Root, "i18n", lang + ".json")), lang);
        }
    }
}
