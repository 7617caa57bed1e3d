using System.Diagnostics;
using System.Text.Json;
using Ayalon.DevHost.Replay;
using static Ayalon.Tests.Physics.PhysicsTestData;

namespace Ayalon.Tests.Physics;

/// <summary>The DevHost <c>replay</c> command over the recorded answers, in-process and once as a real process.</summary>
[Trait("Category", "Integration")]
public sealed class ReplayCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ayalon-replay-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ReplayCommand.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static JsonElement Section(JsonElement root, string id) =>
        root.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("sectionId").GetString() == id);

    private static JsonElement PieceNamed(JsonElement root, string name) =>
        root.GetProperty("pieces").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    private static JsonElement AnswerNamed(JsonElement root, string name) =>
        root.GetProperty("answers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Replaying_the_september_folder_prints_the_documented_cycle()
    {
        var (code, output, error) = await Run("--input", FixturePath("2026-09-15"));

        Assert.Equal(0, code);
        Assert.Equal("", error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("2", root.GetProperty("methodologyVersion").GetString());
        Assert.Equal("2026-09-15T09:42:42.000Z", root.GetProperty("observedAtUtc").GetString());
        var s = Section(root, NorthLaGuardiaArlozorov);
        Assert.Equal("ok", s.GetProperty("state").GetString());
        Assert.Equal(110.9, s.GetProperty("travelTimeSeconds").GetDouble(), 0.1);
        Assert.Equal(76.7, s.GetProperty("freeFlowTimeSeconds").GetDouble(), 0.1);
        Assert.Equal(34.2, s.GetProperty("delaySeconds").GetDouble(), 0.1);
        Assert.Equal(65, s.GetProperty("speedKmh").GetDouble(), 0.01);
        Assert.Equal(94, s.GetProperty("freeFlowSpeedKmh").GetDouble(), 0.01);
        Assert.True(s.GetProperty("congested").GetBoolean());
        Assert.Equal(30.7, Section(root, NorthArlozorovRokach).GetProperty("delaySeconds").GetDouble(), 0.1);
        Assert.Equal("insufficient_coverage", Section(root, NorthHolonLaGuardia).GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, Section(root, NorthHolonLaGuardia).GetProperty("delaySeconds").ValueKind);
        Assert.Equal("no_data", Section(root, SouthLaGuardiaHolon).GetProperty("state").GetString());
        Assert.Equal("incomplete", root.GetProperty("directions")[0].GetProperty("state").GetString());
        Assert.Contains("© OpenStreetMap contributors", output);
    }

    [Fact]
    public async Task Replay_lists_every_answer_with_its_status_and_matched_sections()
    {
        var (code, output, _) = await Run("--input", FixturePath("2026-01-10"), FixturePath("errors/no_coverage.body.json"));

        Assert.Equal(0, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(4, root.GetProperty("answers").GetArrayLength());
        Assert.Equal(3, root.GetProperty("pieces").GetArrayLength());
        Assert.Empty(PieceNamed(root, "la_guardia").GetProperty("matchedSectionIds").EnumerateArray());
        Assert.Equal("arlozorov", PieceNamed(root, "ha_shalom").GetProperty("duplicateOf").GetString());
        Assert.Equal(3, PieceNamed(root, "arlozorov").GetProperty("matchedSectionIds").GetArrayLength());
        Assert.Equal("no_coverage", AnswerNamed(root, "no_coverage").GetProperty("status").GetString());
        Assert.Equal("point_too_far_from_segment", AnswerNamed(root, "no_coverage").GetProperty("detail").GetString());
        Assert.All(root.GetProperty("answers").EnumerateArray(), a => Assert.Equal("tomtom", a.GetProperty("provider").GetString()));
        Assert.Equal(1, root.GetProperty("duplicatePieces").GetInt32());
        Assert.All(root.GetProperty("sections").EnumerateArray().Where(s => s.GetProperty("state").GetString() == "ok"),
            s => Assert.Equal(0, s.GetProperty("delaySeconds").GetDouble()));
    }

    [Fact]
    public async Task Replaying_a_here_answer_prints_the_hand_worked_cycle()
    {
        var (code, output, error) = await Run("--input", HereFixturePath("congested"));

        Assert.True(code == 0, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("2026-11-30T06:46:12.000Z", root.GetProperty("observedAtUtc").GetString());
        Assert.Equal("response date header", root.GetProperty("observedAtSource").GetString());
        var answer = AnswerNamed(root, "ayalon");
        Assert.Equal("here", answer.GetProperty("provider").GetString());
        Assert.Equal("ok", answer.GetProperty("status").GetString());
        Assert.Equal(Traffic.HereFixtureWriter.CorrelationIdOk, answer.GetProperty("trackingId").GetString());
        Assert.Equal(7, answer.GetProperty("results").GetInt32());
        Assert.Equal(10, root.GetProperty("pieces").GetArrayLength());
        Assert.Equal(1, root.GetProperty("droppedLowConfidence").GetInt32());
        Assert.Equal(2, root.GetProperty("duplicatePieces").GetInt32());
        Assert.Equal(80.064, Section(root, NorthLaGuardiaArlozorov).GetProperty("delaySeconds").GetDouble(), 0.001);
        Assert.Equal(27.98, Section(root, NorthArlozorovRokach).GetProperty("delaySeconds").GetDouble(), 0.001);
        Assert.Equal(0, Section(root, NorthHolonLaGuardia).GetProperty("delaySeconds").GetDouble());
        Assert.Equal("closed", Section(root, SouthLaGuardiaHolon).GetProperty("state").GetString());
        Assert.Equal("unmatched", PieceNamed(root, "ayalon/results[3]").GetProperty("matchStatus").GetString());
        Assert.Equal("here", PieceNamed(root, "ayalon/results[3]").GetProperty("provider").GetString());
    }

    [Fact]
    public async Task One_folder_may_hold_here_and_tomtom_answers_each_recognised_by_its_shape()
    {
        foreach (var f in new[] { "congested/ayalon.body.json", "errors/empty.body.json", "errors/unauthorized.body.json", "errors/unauthorized.meta.json" })
            File.Copy(HereFixturePath(f), Path.Combine(_temp, "here_" + Path.GetFileName(f)));
        foreach (var f in new[] { "2026-09-15/arlozorov.body.json", "errors/no_coverage.body.json", "errors/no_coverage.meta.json" })
            File.Copy(FixturePath(f), Path.Combine(_temp, "tomtom_" + Path.GetFileName(f)));

        var (code, output, error) = await Run("--input", _temp);

        Assert.True(code == 0, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(("here", "ok"), ProviderAndStatus(AnswerNamed(root, "here_ayalon")));
        Assert.Equal(("here", "no_coverage"), ProviderAndStatus(AnswerNamed(root, "here_empty")));
        Assert.Equal(("here", "auth_error"), ProviderAndStatus(AnswerNamed(root, "here_unauthorized")));
        Assert.Equal("unauthorized", AnswerNamed(root, "here_unauthorized").GetProperty("detail").GetString());
        Assert.Equal(("tomtom", "ok"), ProviderAndStatus(AnswerNamed(root, "tomtom_arlozorov")));
        Assert.Equal(("tomtom", "no_coverage"), ProviderAndStatus(AnswerNamed(root, "tomtom_no_coverage")));
        // The only date header is the HERE 401's meta: a response date header wins over HERE's sourceUpdated.
        Assert.Equal("2026-11-30T06:50:03.000Z", root.GetProperty("observedAtUtc").GetString());
        Assert.Equal("response date header", root.GetProperty("observedAtSource").GetString());
        Assert.Contains(root.GetProperty("pieces").EnumerateArray(), p => p.GetProperty("provider").GetString() == "tomtom");

        static (string?, string?) ProviderAndStatus(JsonElement a) => (a.GetProperty("provider").GetString(), a.GetProperty("status").GetString());
    }

    public static TheoryData<string, string, int, string, string> RecordedRefusals => new()
    {
        // TomTom: only "point too far" is no_coverage; another 400 is an http_error (replay used to call every 400 no_coverage).
        { "tomtom", """{"error":"Invalid zoom level","httpStatusCode":400,"detailedError":{"code":"INVALID_REQUEST","message":"Zoom must be between 0 and 22."}}""", 400, "http_error", "INVALID_REQUEST" },
        { "tomtom", """{"error":"Point too far from nearest existing segment.","httpStatusCode":400,"detailedError":{"code":"INVALID_REQUEST","message":"Point too far from nearest existing segment."}}""", 400, "no_coverage", "point_too_far_from_segment" },
        { "tomtom", """{"error":"Forbidden","httpStatusCode":403,"detailedError":{"code":"FORBIDDEN","message":"x"}}""", 403, "auth_error", "FORBIDDEN" },
        { "tomtom", "", 503, "http_error", "http_503" },
        { "here", """{"title":"Bad","status":400,"code":"E608001","correlationId":"c-1"}""", 400, "http_error", "E608001" },
        { "here", """{"error":"Too Many Requests","error_description":"Rate limit for this service has been reached"}""", 429, "rate_limited", "http_429" },
        { "here", "", 500, "http_error", "http_500" },
    };

    [Theory]
    [MemberData(nameof(RecordedRefusals))]
    public async Task A_recorded_refusal_is_classified_by_its_providers_own_classifier(string provider, string body, int status, string expectedStatus, string expectedDetail)
    {
        var path = provider == "here" ? "/v7/flow" : "/traffic/services/4/flowSegmentData/absolute/10/json";
        await File.WriteAllTextAsync(Path.Combine(_temp, "x.body.json"), body);
        await File.WriteAllTextAsync(Path.Combine(_temp, "x.meta.json"),
            """{"request":{"path":""" + JsonSerializer.Serialize(path) + ""","query":{}},"response":{"status":""" + status + ""","headers":{}}}""");

        var (code, output, error) = await Run("--input", _temp, "--at", "2026-11-30T07:00:00Z");

        Assert.True(code == 0, error);
        var answer = AnswerNamed(JsonDocument.Parse(output).RootElement, "x");
        Assert.Equal(provider, answer.GetProperty("provider").GetString());
        Assert.Equal(expectedStatus, answer.GetProperty("status").GetString());
        Assert.Equal(expectedDetail, answer.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Without_meta_a_here_answer_is_observed_at_its_source_update_time()
    {
        var body = Path.Combine(_temp, "night.body.json");
        File.Copy(HereFixturePath("free_flow/ayalon.body.json"), body);

        var (code, output, error) = await Run("--input", body);

        Assert.True(code == 0, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("2026-11-29T01:15:00.000Z", root.GetProperty("observedAtUtc").GetString());
        Assert.Equal("HERE sourceUpdated", root.GetProperty("observedAtSource").GetString());
        Assert.All(root.GetProperty("sections").EnumerateArray(), s => Assert.Equal(0, s.GetProperty("delaySeconds").GetDouble()));
    }

    [Fact]
    public async Task The_at_option_sets_the_observation_time()
    {
        var (code, output, _) = await Run("--input", FixturePath("2026-09-15/arlozorov.body.json"), "--at", "2026-09-15T10:00:00Z");

        Assert.Equal(0, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("2026-09-15T10:00:00.000Z", root.GetProperty("observedAtUtc").GetString());
        Assert.Equal("--at", root.GetProperty("observedAtSource").GetString());
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "broken", "{\"flowSegmentData\":", "not valid JSON" },
        { "negative", """{"flowSegmentData":{"frc":"FRC0","currentSpeed":-5,"freeFlowSpeed":90,"currentTravelTime":10,"freeFlowTravelTime":10,"confidence":1,"roadClosure":false,"coordinates":{"coordinate":[{"latitude":32.07,"longitude":34.79},{"latitude":32.08,"longitude":34.80}]}}}""", "negative currentSpeed" },
        { "onepoint", """{"flowSegmentData":{"frc":"FRC0","currentSpeed":5,"freeFlowSpeed":90,"currentTravelTime":10,"freeFlowTravelTime":10,"confidence":1,"roadClosure":false,"coordinates":{"coordinate":[{"latitude":32.07,"longitude":34.79}]}}}""", "at least 2 are needed" },
        { "errorbody", """{"error":"Forbidden","httpStatusCode":403}""", "missing 'flowSegmentData'" },
        { "neither", """{"data":[]}""", "neither a HERE /v7/flow body (top-level 'results') nor a TomTom one ('flowSegmentData')" },
        { "here_bad", """{"sourceUpdated":null,"results":[{"location":{"shape":{"links":[]}}}]}""", "parse_error: results[0]: missing 'location.shape.links'" },
        { "here_conf", """{"results":[{"location":{"shape":{"links":[{"points":[{"lat":32.06,"lng":34.79},{"lat":32.07,"lng":34.79}]}]}},"currentFlow":{"speed":10,"freeFlow":25,"confidence":3}}]}""", "confidence 3 outside [-1, 1]" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_fails_with_exit_code_2_naming_the_file_and_the_problem(string name, string body, string problem)
    {
        var path = Path.Combine(_temp, name + ".body.json");
        await File.WriteAllTextAsync(path, body);

        var (code, output, error) = await Run("--input", path);

        Assert.Equal(ReplayCommand.ExitBadInput, code);
        Assert.Equal("", output);
        Assert.Contains(path, error);
        Assert.Contains(problem, error);
    }

    [Theory]
    [InlineData("--input", "/no/such/folder", "'/no/such/folder' does not exist")]
    [InlineData("--input", null, "Required argument missing for option: '--input'")]
    [InlineData("--at", "2026-09-15T10:00:00Z", "Option '--input' is required")]
    [InlineData("--frobnicate", null, "replay: Unrecognized command or argument '--frobnicate'")]
    public async Task Bad_arguments_fail_with_exit_code_2_and_say_what_is_wrong(string flag, string? value, string expected)
    {
        var (code, _, error) = await Run(value is null ? [flag] : [flag, value]);

        Assert.Equal(ReplayCommand.ExitBadInput, code);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task A_bad_at_time_is_refused()
    {
        var (code, _, error) = await Run("--input", FixturePath("2026-09-15"), "--at", "yesterday");

        Assert.Equal(ReplayCommand.ExitBadInput, code);
        Assert.Contains("--at 'yesterday'", error);
    }

    [Fact]
    public async Task A_broken_meta_file_is_named_in_the_error()
    {
        File.Copy(FixturePath("2026-09-15/arlozorov.body.json"), Path.Combine(_temp, "x.body.json"));
        await File.WriteAllTextAsync(Path.Combine(_temp, "x.meta.json"), "{ not json");

        var (code, _, error) = await Run("--input", _temp);

        Assert.Equal(ReplayCommand.ExitBadInput, code);
        Assert.Contains("x.meta.json", error);
    }

    [Fact]
    public async Task The_built_devhost_runs_replay_as_a_command()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Ayalon.DevHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, "replay", "--input", FixturePath("2026-09-15") }) start.ArgumentList.Add(a);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "replay did not finish within 60 s");

        Assert.True(process.ExitCode == 0, await stderr);
        var root = JsonDocument.Parse(await stdout).RootElement;
        Assert.Equal(34.2, Section(root, NorthLaGuardiaArlozorov).GetProperty("delaySeconds").GetDouble(), 0.1);
    }
}
