using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ayalon.Tests.Infra;

/// <summary>
/// infra/main.bicep compiled once (and linted once) with the Bicep CLI; the ARM JSON flattened across the nested
/// module deployments so tests can look resources up by type.
/// </summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    public string RepoRoot { get; } = Infra.RepoRoot.Find();
    public ToolProcess.Result Build { get; private set; } = null!;
    public ToolProcess.Result Lint { get; private set; } = null!;
    public JsonObject Template { get; private set; } = null!;
    public IReadOnlyList<TemplateResource> Resources { get; private set; } = [];

    public async Task InitializeAsync()
    {
        // Sequential: two 120 MB native processes at once gain nothing on a 2-core machine.
        Build = await BicepCli.RunAsync(RepoRoot, "build", Path.Combine("infra", "main.bicep"), "--stdout");
        Lint = await BicepCli.RunAsync(RepoRoot, "lint", Path.Combine("infra", "main.bicep"));
        if (Build.ExitCode == 0)
        {
            Template = JsonNode.Parse(Build.StandardOutput)!.AsObject();
            var resources = new List<TemplateResource>();
            Collect(new TemplateScope(Template, deploymentParameters: null, parent: null), resources);
            Resources = resources;
        }
        else
        {
            Template = []; // the build test reports why; the others fail on missing resources, not on null
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public IReadOnlyList<TemplateResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase)).ToList();

    public TemplateResource Single(string type)
    {
        var matches = OfType(type);
        Assert.True(matches.Count == 1, $"expected exactly one {type}, found {matches.Count}");
        return matches[0];
    }

    private static void Collect(TemplateScope scope, List<TemplateResource> into)
    {
        // languageVersion 2.0 templates keep resources in an object keyed by symbolic name; 1.x in an array.
        var resources = scope.Template["resources"] switch
        {
            JsonObject byName => byName.Select(p => p.Value),
            JsonArray list => list.AsEnumerable(),
            _ => [],
        };
        foreach (var node in resources.OfType<JsonObject>())
        {
            var resource = new TemplateResource(node, scope);
            into.Add(resource);
            if (resource.Type == "Microsoft.Resources/deployments"
                && node["properties"]?["template"] is JsonObject nested)
            {
                Collect(new TemplateScope(nested, node["properties"]?["parameters"] as JsonObject, scope), into);
            }
        }
    }
}

public sealed record TemplateResource(JsonObject Json, TemplateScope Scope)
{
    public string Type => (string)Json["type"]!;
    public JsonNode? Properties => Json["properties"];

    /// <summary>A value with simple <c>[parameters('x')]</c> / <c>[variables('x')]</c> indirections followed.</summary>
    public JsonNode? Resolve(JsonNode? value) => Scope.Resolve(value);
}

/// <summary>
/// One (nested) template and the parameters its deployment passes in. Follows only direct references; anything
/// computed at deploy time (reference(), format() …) stays an expression string.
/// </summary>
public sealed partial class TemplateScope(JsonObject template, JsonObject? deploymentParameters, TemplateScope? parent)
{
    public JsonObject Template { get; } = template;

    public JsonNode? Resolve(JsonNode? value)
    {
        if (value is not JsonValue jsonValue || !jsonValue.TryGetValue<string>(out var text)) return value;

        if (ParameterReference().Match(text) is { Success: true } parameter)
        {
            var name = parameter.Groups[1].Value;
            // A module parameter's passed value is an expression of the calling template.
            if (deploymentParameters?[name]?["value"] is { } passed && parent is not null) return parent.Resolve(passed);
            return Resolve(Template["parameters"]?[name]?["defaultValue"]);
        }
        if (VariableReference().Match(text) is { Success: true } variable)
        {
            return Resolve(Template["variables"]?[variable.Groups[1].Value]);
        }
        return value;
    }

    /// <summary>The literal value of <c>variables('name')</c> inside an expression such as subscriptionResourceId(…).</summary>
    public string? VariableInside(string expression) =>
        VariableReference().Match(expression) is { Success: true } m
            ? (string?)Template["variables"]?[m.Groups[1].Value]
            : VariableCall().Match(expression) is { Success: true } inner
                ? (string?)Template["variables"]?[inner.Groups[1].Value]
                : null;

    [GeneratedRegex(@"^\[parameters\('([^']+)'\)\]$")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    private static partial Regex VariableCall();
}
