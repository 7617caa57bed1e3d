using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ayalon.Functions.Http;
using Ayalon.Functions.Telemetry;

namespace Ayalon.Tests.Infra;

/// <summary>
/// Azure-native delivery: the dashboard as a Static Web App linked to the Function App, azd's two services, the
/// static web app sending the app's own security headers, and the operator workbook querying only the telemetry
/// names the app emits.
/// </summary>
public sealed partial class InfraTemplateTests
{
    // ---------- Static Web App ----------

    [Fact]
    public void Static_web_app_is_standard_and_links_the_function_app_as_its_api_backend()
    {
        var site = infra.Single("Microsoft.Web/staticSites");
        Assert.Equal("Standard", (string)site.Json["sku"]!["name"]!);
        Assert.Equal("Standard", (string)site.Json["sku"]!["tier"]!);
        Assert.Contains("'azd-service-name', 'web'", (string)site.Json["tags"]!);
        Assert.Equal("[parameters('staticWebAppEnabled')]", ModuleOf("Microsoft.Web/staticSites").Json["condition"]?.ToString());
        Assert.True((bool)infra.Template["parameters"]!["staticWebAppEnabled"]!["defaultValue"]!);

        var link = infra.Single("Microsoft.Web/staticSites/linkedBackends");
        var backend = (string)link.Resolve(link.Properties!["backendResourceId"])!;
        Assert.Contains("functionApp", backend);
        Assert.Contains("outputs.id", backend);
    }

    [Fact]
    public void Static_web_app_region_is_a_parameter_limited_to_regions_offering_standard()
    {
        var parameter = infra.Template["parameters"]!["staticWebAppLocation"]!;
        var allowed = parameter["allowedValues"]!.AsArray().Select(v => (string)v!).ToList();
        Assert.Contains("westeurope", allowed);
        Assert.Contains((string)parameter["defaultValue"]!, allowed);
        Assert.DoesNotContain("israelcentral", allowed);
        var passed = ModuleOf("Microsoft.Web/staticSites").Properties!["parameters"]!["location"]!["value"]!;
        Assert.Equal("[parameters('staticWebAppLocation')]", (string)passed!);
    }

    [Fact]
    public void Health_is_probed_through_the_static_web_app_when_it_exists()
    {
        // A linked Function App accepts calls only from its static web app: the web test must use the public host.
        var test = infra.Single("Microsoft.Insights/webtests");
        Assert.Contains("parameters('healthHostName')", (string)test.Properties!["Request"]!["RequestUrl"]!);
        var passed = ModuleOf("Microsoft.Insights/webtests").Properties!["parameters"]!["healthHostName"]!.ToString();
        Assert.Matches(@"^\[if\(parameters\('staticWebAppEnabled'\), .*reference\('web'\)\.outputs\.defaultHostName.*reference\('functionApp'\)\.outputs\.defaultHostName", passed);
    }

    [Fact]
    public void Azd_deploys_the_dashboard_folder_as_web_and_the_functions_project_as_api()
    {
        var services = AzureYamlServices(File.ReadAllText(Path.Combine(infra.RepoRoot, "azure.yaml")));
        Assert.Equal(["api", "web"], services.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("staticwebapp", services["web"]["host"]);
        Assert.Equal("function", services["api"]["host"]);
        var dashboard = Path.Combine(infra.RepoRoot, services["web"]["project"]);
        Assert.True(File.Exists(Path.Combine(dashboard, "index.html")), dashboard);
        Assert.True(File.Exists(Path.Combine(dashboard, "staticwebapp.config.json")), dashboard);
        Assert.True(File.Exists(Path.Combine(infra.RepoRoot, services["api"]["project"], "Ayalon.Functions.csproj")));
        // The same tag names tie each service to its resource.
        Assert.Contains("'azd-service-name', 'api'", (string)infra.Single(FunctionAppType).Json["tags"]!);
    }

    [Fact]
    public void Static_web_app_sends_exactly_the_security_headers_and_csp_the_app_sends()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(infra.RepoRoot, "Ayalon.Functions", "wwwroot", "staticwebapp.config.json")))!;
        var global = config["globalHeaders"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(ResponseHeaders.SecurityHeaders.Keys.Order(StringComparer.OrdinalIgnoreCase), global.Keys.Order(StringComparer.OrdinalIgnoreCase));
        foreach (var (name, value) in ResponseHeaders.SecurityHeaders) Assert.Equal(value, global[name]);
        Assert.Equal(ResponseHeaders.ContentSecurityPolicy, global["Content-Security-Policy"]);
    }

    // ---------- Operator workbook ----------

    [Fact]
    public void Workbook_is_shared_and_listed_under_the_application_insights_component()
    {
        var workbook = infra.Single("Microsoft.Insights/workbooks");
        Assert.Equal("shared", (string)workbook.Json["kind"]!);
        var properties = workbook.Properties!;
        Assert.Equal("workbook", (string)properties["category"]!);
        Assert.Equal("Notebook/1.0", (string)properties["version"]!);
        Assert.Equal("[toLower(parameters('applicationInsightsId'))]", (string)properties["sourceId"]!);
        Assert.Contains("outputs.applicationInsightsId", (string)workbook.Resolve(JsonValue.Create("[parameters('applicationInsightsId')]"))!);
        Assert.Contains("guid(", (string)workbook.Json["name"]!);
    }

    [Fact]
    public void Workbook_fills_every_placeholder_in_its_content()
    {
        var workbook = infra.Single("Microsoft.Insights/workbooks");
        var serialized = (string)workbook.Resolve(workbook.Properties!["serializedData"])!;
        var placeholders = Placeholder().Matches(WorkbookText()).Select(m => m.Value).Distinct().ToList();
        Assert.NotEmpty(placeholders);
        foreach (var placeholder in placeholders) Assert.Contains($"'{placeholder}'", serialized);
    }

    [Fact]
    public void Workbook_queries_use_only_the_metric_event_and_dimension_names_the_app_emits()
    {
        var queries = WorkbookQueries();
        Assert.NotEmpty(queries);
        var used = queries.SelectMany(q => TelemetryName().Matches(q).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name, TelemetryNames.AllNames));
        Assert.All(queries.SelectMany(q => CustomDimension().Matches(q).Select(m => m.Groups[1].Value)),
            d => Assert.Contains(d, TelemetryNames.DimensionNames));
        Assert.All(queries.SelectMany(q => CustomMeasurement().Matches(q).Select(m => m.Groups[1].Value)),
            m => Assert.Contains(m, TelemetryNames.MeasurementNames));
    }

    [Theory]
    [InlineData(TelemetryNames.Metrics.CyclesCompleted, "CycleStatus")]
    [InlineData(TelemetryNames.Events.ProviderCall, "percentile(")]
    [InlineData(TelemetryNames.Events.ProviderCall, "ProviderStatus")]
    [InlineData(TelemetryNames.Metrics.QuotaUsedPercent, "PacePercent")]
    [InlineData(TelemetryNames.Metrics.DataAgeSeconds, "AgeSeconds")]
    [InlineData(TelemetryNames.Metrics.CorridorDelaySeconds, "Direction")]
    [InlineData("alertsmanagementresources", "microsoft.alertsmanagement/alerts")]
    public void Workbook_has_the_operator_panels(string source, string detail)
    {
        Assert.Contains(WorkbookQueries(), q => q.Contains(source, StringComparison.Ordinal) && q.Contains(detail, StringComparison.Ordinal));
    }

    [Fact]
    public void Alert_queries_use_only_names_the_app_emits()
    {
        var queries = infra.OfType("Microsoft.Insights/scheduledQueryRules")
            .SelectMany(r => r.Properties!["criteria"]!["allOf"]!.AsArray().Select(c => (string)c!["query"]!)).ToList();
        var used = queries.SelectMany(q => TelemetryName().Matches(q).Select(m => m.Value)).ToList();
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name, TelemetryNames.AllNames));
    }

    // ---------- helpers ----------

    /// <summary>The workbook content as compiled into the template (loadTextContent inlines the file).</summary>
    private string WorkbookText()
    {
        var workbook = infra.Single("Microsoft.Insights/workbooks");
        return (string)workbook.Scope.Template["variables"]!["content"]!;
    }

    private List<string> WorkbookQueries()
    {
        var root = JsonNode.Parse(WorkbookText())!;
        var queries = new List<string>();
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["query"] is JsonValue q && q.GetValueKind() == JsonValueKind.String) queries.Add((string)q!);
                    foreach (var (_, child) in o) Walk(child);
                    break;
                case JsonArray a:
                    foreach (var child in a) Walk(child);
                    break;
            }
        }
        Walk(root["items"]);
        return queries;
    }

    /// <summary>The module deployment (in main.bicep) whose template declares a resource of this type.</summary>
    private TemplateResource ModuleOf(string resourceType)
    {
        var declared = infra.Single(resourceType).Scope.Template;
        return infra.Resources.Single(r => r.Type == "Microsoft.Resources/deployments" && ReferenceEquals(r.Json["properties"]?["template"], declared));
    }

    /// <summary>azure.yaml's services and their scalar keys (two-space indented YAML; no parser needed for this shape).</summary>
    private static Dictionary<string, Dictionary<string, string>> AzureYamlServices(string yaml)
    {
        var services = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string>? current = null;
        var inServices = false;
        foreach (var raw in yaml.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.TrimStart().StartsWith('#')) continue;
            var indent = line.Length - line.TrimStart().Length;
            if (indent == 0)
            {
                inServices = line == "services:";
                current = null;
                continue;
            }
            if (!inServices) continue;
            if (indent == 2 && line.TrimEnd().EndsWith(':'))
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                services[line.Trim().TrimEnd(':')] = current;
            }
            else if (indent == 4 && current is not null && line.Contains(": ", StringComparison.Ordinal))
            {
                var (key, value) = (line[..line.IndexOf(':', StringComparison.Ordinal)].Trim(), line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
                current[key] = value;
            }
        }
        return services;
    }

    [GeneratedRegex(@"__[A-Z_]+__")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"Ayalon\.[A-Za-z]+")]
    private static partial Regex TelemetryName();

    [GeneratedRegex(@"customDimensions\.([A-Za-z]+)")]
    private static partial Regex CustomDimension();

    [GeneratedRegex(@"customMeasurements\.([A-Za-z]+)")]
    private static partial Regex CustomMeasurement();
}
