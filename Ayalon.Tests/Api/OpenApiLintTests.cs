using System.Text.Json;

namespace Ayalon.Tests.Api;

/// <summary>
/// The served document passes the linters integrators run, with nothing to report: Redocly CLI's recommended rules
/// (redocly.yaml) and Spectral's spectral:oas (.spectral.yaml), both pinned in package.json and run from node_modules.
/// </summary>
[Collection(HistoryCollection.Name)]
[Trait("Category", "Integration")]
public class OpenApiLintTests(HistoryFixture history)
{
    private static readonly TimeSpan LintTimeout = TimeSpan.FromMinutes(2);

    // Both tools stay off the network: Redocly's telemetry and its update check are off (also in redocly.yaml,
    // for hand runs); both rulesets are built into the installed packages.
    private static readonly Dictionary<string, string> Offline = new()
    {
        ["REDOCLY_TELEMETRY"] = "off",
        ["REDOCLY_SUPPRESS_NOTIFICATIONS"] = "true",
        ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
        ["NO_COLOR"] = "1",
    };

    private static string Bin(string tool)
    {
        var path = Path.Combine(RepoPaths.Root, "node_modules", ".bin", tool);
        Assert.True(File.Exists(path), $"{path} is missing: run npm ci (test.sh does)");
        return path;
    }

    [Fact]
    public async Task Redocly_recommended_rules_report_no_error_and_no_warning()
    {
        using var served = await ServedDescription.SaveAsync(history.Api.Client);

        var run = await ToolProcess.RunAsync(Bin("redocly"),
            ["lint", "--config", Path.Combine(RepoPaths.Root, "redocly.yaml"), "--format", "json", served.File],
            RepoPaths.Root, LintTimeout, Offline);

        using var report = ParseJson(run, run.StandardOutput);
        var problems = report.RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()} at " +
                         $"{p.GetProperty("location")[0].GetProperty("pointer").GetString()}: {p.GetProperty("message").GetString()}")
            .ToList();
        Assert.True(problems.Count == 0, "redocly lint:\n" + string.Join('\n', problems));
        var totals = report.RootElement.GetProperty("totals");
        Assert.Equal(0, totals.GetProperty("errors").GetInt32());
        Assert.Equal(0, totals.GetProperty("warnings").GetInt32());
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Spectral_oas_rules_report_nothing_at_any_severity()
    {
        using var served = await ServedDescription.SaveAsync(history.Api.Client);

        // --fail-severity hint: even an info or hint makes the exit code non-zero. The JSON report goes to a file:
        // on stdout Spectral appends a summary sentence to it.
        var reportFile = Path.Combine(served.Folder, "spectral.json");
        var run = await ToolProcess.RunAsync(Bin("spectral"),
            ["lint", "--ruleset", Path.Combine(RepoPaths.Root, ".spectral.yaml"), "--format", "json", "--output", reportFile,
             "--fail-severity", "hint", served.File],
            RepoPaths.Root, LintTimeout, Offline);

        using var report = ParseJson(run, File.Exists(reportFile) ? await File.ReadAllTextAsync(reportFile) : "");
        string[] severities = ["error", "warning", "info", "hint"];
        var problems = report.RootElement.EnumerateArray()
            .Select(p => $"{severities[p.GetProperty("severity").GetInt32()]} {p.GetProperty("code").GetString()} at " +
                         $"{string.Join('.', p.GetProperty("path").EnumerateArray().Select(s => s.ToString()))}: {p.GetProperty("message").GetString()}")
            .ToList();
        Assert.True(problems.Count == 0, "spectral lint:\n" + string.Join('\n', problems));
        Assert.Equal(0, run.ExitCode);
    }

    private static JsonDocument ParseJson(ToolProcess.Result run, string report)
    {
        try
        {
            return JsonDocument.Parse(report);
        }
        catch (JsonException)
        {
            Assert.Fail($"no JSON report (exit {run.ExitCode}):\n{run.AllOutput}");
            throw;
        }
    }
}
