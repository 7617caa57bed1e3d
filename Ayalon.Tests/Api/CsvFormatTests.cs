using System.Globalization;
using System.Net;
using Ayalon.Core.ReadModels;
using Microsoft.VisualBasic.FileIO;

namespace Ayalon.Tests.Api;

/// <summary>RFC 4180 field quoting and record ends, with no I/O.</summary>
[Trait("Category", "Unit")]
public sealed class CsvFormatTests
{
    [Theory]
    [InlineData("northbound", "northbound")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    [InlineData("  spaces stay  ", "  spaces stay  ")] // RFC 4180 §2.4: spaces are part of a field
    public void A_field_is_quoted_only_when_it_holds_a_comma_quote_or_line_break(string? value, string expected) =>
        Assert.Equal(expected, CsvFormat.Field(value));

    [Fact]
    public void A_line_joins_quoted_fields_with_commas_and_ends_with_CRLF() =>
        Assert.Equal("1,\"a,b\",,\"q\"\"\"\r\n", CsvFormat.Line("1", "a,b", null, "q\""));

    [Fact]
    public void What_it_writes_an_independent_RFC_4180_reader_reads_back()
    {
        string?[] fields = ["x", "a,b", "say \"hi\"", "multi\r\nline", "", "ü,é"];
        using var parser = new TextFieldParser(new StringReader(CsvFormat.Line(fields) + CsvFormat.Line("2")))
        {
            TextFieldType = FieldType.Delimited,
            HasFieldsEnclosedInQuotes = true,
            TrimWhiteSpace = false,
        };
        parser.SetDelimiters(",");

        Assert.Equal(fields.Select(f => f ?? "").ToArray(), parser.ReadFields());
        Assert.Equal(["2"], parser.ReadFields()!);
        Assert.True(parser.EndOfData);
    }
}

/// <summary>
/// The history CSV through the running API with a corridor file (Corridor:File) whose section id holds a comma and
/// double quotes: the row still has 14 fields and the series reads back as the id.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HistoryCsvQuotingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string OddId = "ayalon_n_holon,\"laguardia\"";
    private readonly string _folder = Directory.CreateTempSubdirectory("ayalon-csv-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_section_id_with_a_comma_and_quotes_is_one_quoted_field_in_the_history_csv()
    {
        var corridorFile = Path.Combine(_folder, "corridor.json");
        var shipped = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Corridor", "ayalon_segments_v2.json"));
        Assert.Contains("\"ayalon_n_holon_laguardia\"", shipped, StringComparison.Ordinal);
        await File.WriteAllTextAsync(corridorFile,
            shipped.Replace("\"ayalon_n_holon_laguardia\"", System.Text.Json.JsonSerializer.Serialize(OddId), StringComparison.Ordinal));

        await using var api = await ApiHost.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Corridor:File"] = corridorFile });
        await api.RunCyclesAsync(3, TimeSpan.FromMinutes(5));
        var hour = new DateTimeOffset(api.Clock.GetUtcNow().UtcDateTime.Date.AddHours(api.Clock.GetUtcNow().Hour), TimeSpan.Zero);
        var range = FormattableString.Invariant($"from={hour:yyyy-MM-dd'T'HH:mm:ss'Z'}&to={hour.AddHours(1):yyyy-MM-dd'T'HH:mm:ss'Z'}");

        using var response = await api.Client.GetAsync(
            $"/api/impact/history?granularity=5m&{range}&section={Uri.EscapeDataString(OddId)}&section=ayalon_s_rokach_arlozorov&format=csv");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);

        Assert.Contains("\r\n2026", text, StringComparison.Ordinal);
        Assert.Contains(",\"ayalon_n_holon,\"\"laguardia\"\"\",section,", text, StringComparison.Ordinal);
        using var parser = new TextFieldParser(new StringReader(text)) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        Assert.Equal(HistoryService.CsvHeader.Split(','), parser.ReadFields());
        var rows = new List<string[]>();
        while (!parser.EndOfData) rows.Add(parser.ReadFields()!);
        Assert.All(rows, r => Assert.Equal(14, r.Length));
        var odd = rows.Where(r => r[1] == OddId).ToList();
        Assert.Equal(12, odd.Count); // 5-minute buckets over the hour
        Assert.Contains(odd, r => double.Parse(r[3], CultureInfo.InvariantCulture) > 0); // observed, so really this section's rows
        Assert.Equal(12, rows.Count(r => r[1] == "ayalon_s_rokach_arlozorov"));
    }
}
