using System.Net;
using System.Text.Json;
using Ayalon.DevHost.Hosting;

namespace Ayalon.Tests.Api;

/// <summary>Keeps /api/openapi.json true: every route, parameter and response field against the running app.</summary>
[Collection(HistoryCollection.Name)]
[Trait("Category", "Integration")]
public class OpenApiDocumentTests(HistoryFixture history)
{
    private ApiHost Api => history.Api;

    private async Task<JsonElement> DocumentAsync() => await Api.GetJsonAsync("/api/openapi.json");

    private static string PathOf(string route) => "/" + route.Replace("{*path}", "{path}", StringComparison.Ordinal);

    [Fact]
    public async Task Every_function_route_and_verb_is_documented_and_nothing_else()
    {
        var doc = await DocumentAsync();
        Assert.Equal("3.0.3", doc.GetProperty("openapi").GetString());
        var documented = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => p.Name + " " + m.Name)).Order().ToList();
        var served = FunctionCatalog.HttpFunctions()
            .SelectMany(f => f.Methods.Where(m => m != "head").Select(m => PathOf(f.Route) + " " + m)).Order().ToList();
        Assert.Equal(served, documented);
    }

    [Fact]
    public async Task Every_documented_query_parameter_is_accepted_with_a_valid_value()
    {
        var doc = await DocumentAsync();
        var corridor = await Api.GetJsonAsync("/api/corridor");
        var section = corridor.GetProperty("sections")[0];
        var samples = new Dictionary<string, string>
        {
            ["from"] = "2026-11-24T00:00:00Z", ["to"] = "2026-11-25T00:00:00Z", ["granularity"] = "hour", ["format"] = "json",
            ["section"] = section.GetProperty("sectionId").GetString()!, ["direction"] = section.GetProperty("direction").GetString()!,
            ["window"] = "7d",
        };
        var checkedCount = 0;
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("get", out var get) || !get.TryGetProperty("parameters", out var parameters)) continue;
            foreach (var p in parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query"))
            {
                var name = p.GetProperty("name").GetString()!;
                Assert.True(samples.ContainsKey(name), $"no sample value for documented parameter '{name}'");
                using var response = await Api.Client.GetAsync($"{path.Name}?{name}={Uri.EscapeDataString(samples[name])}");
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path.Name}?{name}= → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                // Each enum value documented is accepted too.
                if (p.GetProperty("schema").TryGetProperty("enum", out var values))
                {
                    foreach (var v in values.EnumerateArray())
                    {
                        using var r = await Api.Client.GetAsync($"{path.Name}?{name}={v.GetString()}");
                        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                    }
                }
                checkedCount++;
            }
        }
        Assert.Equal(7, checkedCount);
    }

    [Theory]
    [InlineData("/api/impact", "Impact")]
    [InlineData("/api/impact/history?granularity=5m&from=2026-11-25T08:00:00Z", "History")]
    [InlineData("/api/impact/history?section=ayalon", "History")]
    [InlineData("/api/health", "Health")]
    [InlineData("/api/analytics", "Analytics")]
    [InlineData("/api/corridor", "Corridor")]
    public async Task Responses_have_exactly_the_documented_fields(string path, string schemaName)
    {
        var doc = await DocumentAsync();
        if (path.EndsWith("section=ayalon", StringComparison.Ordinal))
        {
            var corridor = await Api.GetJsonAsync("/api/corridor");
            path = path.Replace("ayalon", corridor.GetProperty("sections")[0].GetProperty("sectionId").GetString(), StringComparison.Ordinal);
        }
        var body = await Api.GetJsonAsync(path);
        var schema = doc.GetProperty("components").GetProperty("schemas").GetProperty(schemaName);
        Match(doc, schema, body, schemaName);
    }

    [Fact]
    public async Task Errors_have_the_documented_shape()
    {
        var doc = await DocumentAsync();
        using var response = await Api.Client.GetAsync("/api/impact/history?granularity=week");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var schema = doc.GetProperty("components").GetProperty("schemas").GetProperty("Error");
        var required = schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).ToHashSet();
        var allowed = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
        var actual = body.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Subset(actual, required);
        Assert.Superset(actual, allowed);
    }

    /// <summary>Object fields must equal the schema's properties (recursively, into arrays' items).</summary>
    private static void Match(JsonElement doc, JsonElement schema, JsonElement value, string where)
    {
        if (schema.TryGetProperty("$ref", out var r))
        {
            schema = doc.GetProperty("components").GetProperty("schemas").GetProperty(r.GetString()!.Split('/')[^1]);
        }
        if (value.ValueKind == JsonValueKind.Null)
        {
            Assert.True(schema.TryGetProperty("nullable", out var n) && n.GetBoolean(), $"{where} is null but not documented nullable");
            return;
        }
        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when schema.TryGetProperty("properties", out var props):
                Assert.True(type == "object", $"{where}: documented as {type}");
                var documented = props.EnumerateObject().Select(p => p.Name).Order().ToList();
                var actual = value.EnumerateObject().Select(p => p.Name).Order().ToList();
                Assert.True(documented.SequenceEqual(actual), $"{where}: documented [{string.Join(", ", documented)}] but served [{string.Join(", ", actual)}]");
                foreach (var p in props.EnumerateObject()) Match(doc, p.Value, value.GetProperty(p.Name), where + "." + p.Name);
                break;
            case JsonValueKind.Object:
                Assert.Equal("object", type);
                break;
            case JsonValueKind.Array:
                Assert.Equal("array", type);
                foreach (var item in value.EnumerateArray().Take(3)) Match(doc, schema.GetProperty("items"), item, where + "[]");
                break;
            case JsonValueKind.String:
                Assert.True(type == "string", $"{where}: a string, documented as {type}");
                if (schema.TryGetProperty("enum", out var e))
                    Assert.Contains(value.GetString(), e.EnumerateArray().Select(x => x.GetString()));
                break;
            case JsonValueKind.Number:
                Assert.True(type is "number" or "integer", $"{where}: a number, documented as {type}");
                break;
            case JsonValueKind.True or JsonValueKind.False:
                Assert.True(type == "boolean", $"{where}: a boolean, documented as {type}");
                break;
        }
    }
}
