using System.Net;
using Ayalon.Tests.Generated.AyalonClient.Api.Analytics;
using Ayalon.Tests.Generated.AyalonClient.Api.Impact.History;
using Ayalon.Tests.Generated.AyalonClient.Models;

namespace Ayalon.Tests.Api;

/// <summary>
/// The client Kiota generates from /api/openapi.json calls every GET route of the running DevHost (Azurite, the
/// TomTom simulator, two days of history) and holds all of each answer: a served field, type or enum value that
/// the document does not describe fails here.
/// </summary>
[Collection(HistoryCollection.Name)]
[Trait("Category", "Integration")]
public class GeneratedClientTests(HistoryFixture history)
{
    private GeneratedClient NewClient() => new(history.Api.Host.BaseAddress);

    [Fact]
    public async Task Impact_is_read_whole_and_its_ETag_gets_304_with_no_model()
    {
        using var api = NewClient();
        var headers = GeneratedClient.InspectHeaders();

        var impact = await api.Client.Api.Impact.GetAsync(c => c.Options.Add(headers));

        Assert.NotNull(impact);
        await api.AssertHoldsLastBodyAsync(impact, "impact");
        Assert.Equal(Impact_dataStatus.Healthy, impact.DataStatus);
        Assert.Equal(6, impact.Sections!.Count);
        Assert.All(impact.Sections, s => Assert.Equal(Impact_sections_state.Current, s.State));
        Assert.Equal(["northbound", "southbound"], impact.Directions!.Select(d => d.Direction).Order());

        var etag = Assert.Single(headers.ResponseHeaders["ETag"]);
        var again = await api.Client.Api.Impact.GetAsync(c => c.Headers.Add("If-None-Match", etag));
        Assert.Equal(HttpStatusCode.NotModified, api.LastStatus);
        Assert.Null(again);
    }

    [Theory]
    [InlineData(GetGranularityQueryParameterType.FiveMinutes, "2026-11-25T08:00:00Z")]
    [InlineData(GetGranularityQueryParameterType.Hour, null)]
    [InlineData(GetGranularityQueryParameterType.Day, "2026-11-20T00:00:00Z")]
    public async Task History_is_read_whole_for_every_granularity(GetGranularityQueryParameterType granularity, string? from)
    {
        using var api = NewClient();

        var series = await api.Client.Api.Impact.History.GetAsync(c =>
        {
            c.QueryParameters.Granularity = granularity;
            if (from is not null) c.QueryParameters.From = DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture);
        });

        Assert.NotNull(series);
        await api.AssertHoldsLastBodyAsync(series, $"history {granularity}");
        Assert.Equal(2, series.Series!.Count);
        Assert.All(series.Series, s => Assert.Equal(History_series_kind.Direction, s.Kind));
        Assert.Contains(series.Series.SelectMany(s => s.Points!), p => p.ObservedSeconds > 0);
    }

    [Fact]
    public async Task History_of_chosen_sections_is_read_whole_and_answers_304_to_its_ETag()
    {
        using var api = NewClient();
        var corridor = await api.Client.Api.Corridor.GetAsync();
        string[] sections = [corridor!.Sections![0].SectionId!, corridor.Sections[3].SectionId!];
        var headers = GeneratedClient.InspectHeaders();

        var series = await api.Client.Api.Impact.History.GetAsync(c =>
        {
            c.QueryParameters.Section = sections;
            c.Options.Add(headers);
        });

        Assert.NotNull(series);
        await api.AssertHoldsLastBodyAsync(series, "history by section");
        var bySection = series.Series!;
        Assert.Equal(sections, bySection.Select(s => s.Key));
        Assert.All(bySection, s => Assert.Equal(History_series_kind.Section, s.Kind));

        var etag = Assert.Single(headers.ResponseHeaders["ETag"]);
        var again = await api.Client.Api.Impact.History.GetAsync(c =>
        {
            c.QueryParameters.Section = sections;
            c.Headers.Add("If-None-Match", etag);
        });
        Assert.Equal(HttpStatusCode.NotModified, api.LastStatus);
        Assert.Null(again);
    }

    [Fact]
    public async Task History_as_csv_is_the_documented_text()
    {
        using var api = NewClient();

        // The generated GetAsync reads JSON; for the text/csv answer send the client's own request and read the body.
        var request = api.Client.Api.Impact.History.ToGetRequestInformation(c => c.QueryParameters.Format = GetFormatQueryParameterType.Csv);
        request.Headers.Remove("Accept");
        request.Headers.Add("Accept", "text/csv");
        await using var body = await api.Adapter.SendPrimitiveAsync<Stream>(request);
        Assert.NotNull(body);
        using var reader = new StreamReader(body);
        var header = await reader.ReadLineAsync();

        var document = await history.Api.GetJsonAsync("/api/openapi.json");
        var documented = document.GetProperty("paths").GetProperty("/api/impact/history").GetProperty("get").GetProperty("responses")
            .GetProperty("200").GetProperty("content").GetProperty("text/csv").GetProperty("schema").GetProperty("description").GetString();
        Assert.Equal(documented, header);
        Assert.NotNull(await reader.ReadLineAsync());
    }

    [Fact]
    public async Task Health_is_read_whole_when_healthy()
    {
        using var api = NewClient();

        var health = await api.Client.Api.Health.GetAsync();

        Assert.NotNull(health);
        await api.AssertHoldsLastBodyAsync(health, "health");
        Assert.Equal(Health_status.Healthy, health.Status);
        Assert.Equal(6, health.Checks!.Count);
        Assert.All(health.Checks, c => Assert.NotNull(c.Name));
    }

    [Theory]
    [InlineData(GetWindowQueryParameterType.Last24Hours)]
    [InlineData(GetWindowQueryParameterType.Last7Days)]
    [InlineData(GetWindowQueryParameterType.Last30Days)]
    public async Task Analytics_is_read_whole_for_every_window(GetWindowQueryParameterType window)
    {
        using var api = NewClient();

        var analytics = await api.Client.Api.Analytics.GetAsync(c => c.QueryParameters.Window = window);

        Assert.NotNull(analytics);
        await api.AssertHoldsLastBodyAsync(analytics, $"analytics {window}");
        Assert.True(analytics.Cycles!.Total > 0);
        Assert.True(analytics.Cycles.ByStatus!.AdditionalData.ContainsKey("ok"));
        Assert.True(analytics.ProviderCalls!.ByStatus!.AdditionalData.ContainsKey("ok"));
    }

    [Fact]
    public async Task Corridor_is_read_whole_and_answers_304_to_its_ETag()
    {
        using var api = NewClient();
        var headers = GeneratedClient.InspectHeaders();

        var corridor = await api.Client.Api.Corridor.GetAsync(c => c.Options.Add(headers));

        Assert.NotNull(corridor);
        await api.AssertHoldsLastBodyAsync(corridor, "corridor");
        Assert.Equal(6, corridor.Sections!.Count);

        var etag = Assert.Single(headers.ResponseHeaders["ETag"]);
        var again = await api.Client.Api.Corridor.GetAsync(c => c.Headers.Add("If-None-Match", etag));
        Assert.Equal(HttpStatusCode.NotModified, api.LastStatus);
        Assert.Null(again);
    }

    [Fact]
    public async Task The_description_is_read_and_answers_304_to_its_ETag()
    {
        using var api = NewClient();
        var headers = GeneratedClient.InspectHeaders();

        var document = await api.Client.Api.OpenapiJson.GetAsync(c => c.Options.Add(headers));

        Assert.NotNull(document);
        await api.AssertHoldsLastBodyAsync(document, "openapi.json");
        Assert.Equal("3.0.3", document.AdditionalData["openapi"]);

        var etag = Assert.Single(headers.ResponseHeaders["ETag"]);
        var again = await api.Client.Api.OpenapiJson.GetAsync(c => c.Headers.Add("If-None-Match", etag));
        Assert.Equal(HttpStatusCode.NotModified, api.LastStatus);
        Assert.Null(again);
    }

    [Fact]
    public async Task Dashboard_files_are_read_and_an_unknown_path_is_the_Error_model()
    {
        using var api = NewClient();

        await api.Client["index.html"].GetAsync();
        Assert.Equal(HttpStatusCode.OK, api.LastStatus);
        Assert.Contains("Ayalon Real-Time Physical Impact Model", api.LastBody, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<Error>(() => api.Client["no-such-file.txt"].GetAsync());
        Assert.Equal(404, missing.ResponseStatusCode);
        Assert.Equal(Error_error.Not_found, missing.ErrorProp);
        await api.AssertHoldsLastBodyAsync(missing, "404");
    }

    [Fact]
    public async Task Bad_input_is_the_Error_model_naming_the_parameter()
    {
        using var api = NewClient();

        var error = await Assert.ThrowsAsync<Error>(() => api.Client.Api.Impact.History.GetAsync(c =>
        {
            c.QueryParameters.From = DateTimeOffset.Parse("2026-11-25T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
            c.QueryParameters.To = DateTimeOffset.Parse("2026-11-24T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        }));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Equal(Error_error.Invalid_input, error.ErrorProp);
        Assert.Contains("from", error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.TraceId));
        await api.AssertHoldsLastBodyAsync(error, "400");
    }

    [Fact]
    public async Task Checked_in_client_is_what_Kiota_generates_from_the_served_document()
    {
        using var served = await ServedDescription.SaveAsync(history.Api.Client);
        var output = Path.Combine(served.Folder, "AyalonClient");

        // The same script, options and pinned Kiota that regenerate the checked-in copy.
        var run = await ToolProcess.RunAsync("bash", [Path.Combine(RepoPaths.Root, "scripts", "generate-client.sh"), served.File, output],
            RepoPaths.Root, TimeSpan.FromMinutes(3));

        Assert.True(run.ExitCode == 0, run.AllOutput);
        // Kiota accepts the document without a warning (it once said: no servers entry).
        Assert.DoesNotContain("warn", run.AllOutput, StringComparison.OrdinalIgnoreCase);
        var checkedIn = Path.Combine(RepoPaths.Root, "Ayalon.Tests", "Generated", "AyalonClient");
        var expected = Files(output);
        var actual = Files(checkedIn);
        Assert.True(expected.Keys.Order().SequenceEqual(actual.Keys.Order()),
            "Generated/AyalonClient is stale (run scripts/generate-client.sh): files differ: " +
            string.Join(", ", expected.Keys.Except(actual.Keys).Select(f => "+" + f).Concat(actual.Keys.Except(expected.Keys).Select(f => "-" + f))));
        var stale = expected.Where(f => f.Value != actual[f.Key]).Select(f => f.Key).ToList();
        Assert.True(stale.Count == 0, "Generated/AyalonClient is stale (run scripts/generate-client.sh): " + string.Join(", ", stale));
    }

    /// <summary>Every file of a generated client by relative path; the lock file without the description's location.</summary>
    private static Dictionary<string, string> Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(folder, f).Replace('\\', '/'),
            f => Path.GetFileName(f) == "kiota-lock.json"
                ? System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(f), "\"descriptionLocation\": \"[^\"]*\"", "")
                : File.ReadAllText(f).ReplaceLineEndings("\n"));
}
