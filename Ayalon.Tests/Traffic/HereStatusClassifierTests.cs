using System.Text;
using Ayalon.Core.Traffic;
using Ayalon.Core.Traffic.Here;
using static Ayalon.Tests.Physics.PhysicsTestData;

namespace Ayalon.Tests.Traffic;

/// <summary>
/// The one HERE status classifier: from the HTTP status and the body's structure. Bodies are the fixtures written
/// from HERE's documented schema (fixtures/here) or inline variations of them.
/// </summary>
[Trait("Category", "Unit")]
public sealed class HereStatusClassifierTests
{
    private static HereClassification Classify(int status, string body, string? trackingId = "ours") =>
        HereStatusClassifier.Classify(status, Encoding.UTF8.GetBytes(body), trackingId, 0.7);

    private static string Fixture(string relative) => File.ReadAllText(HereFixturePath(relative));

    [Theory]
    [InlineData(200, "congested/ayalon.body.json", "ok", null, null)]
    [InlineData(200, "free_flow/ayalon.body.json", "ok", null, null)]
    [InlineData(200, "errors/empty.body.json", "no_coverage", "empty_results", null)]
    [InlineData(401, "errors/unauthorized.body.json", "auth_error", "unauthorized", null)]
    [InlineData(403, "errors/unauthorized.body.json", "auth_error", "forbidden", null)]
    [InlineData(429, "errors/rate_limited.body.json", "rate_limited", "http_429", null)]
    [InlineData(414, "errors/service_error.body.json", "http_error", "E608045", HereFixtureWriter.CorrelationIdServiceError)]
    public void Fixture_answers_are_classified(int status, string fixture, string expectedStatus, string? expectedDetail, string? expectedCorrelationId)
    {
        var c = Classify(status, Fixture(fixture));

        Assert.Equal(expectedStatus, c.Status);
        Assert.Equal(expectedDetail, c.Detail);
        Assert.Equal(expectedCorrelationId, c.CorrelationId);
        Assert.Equal(expectedStatus is "ok" or "no_coverage", c.Parsed is not null);
        Assert.Contains(c.Status, ProviderStatus.All);
    }

    public static TheoryData<int, string, string, string?> Inline => new()
    {
        { 200, "{\"results\":[", ProviderStatus.ParseError, "body is not valid JSON" },
        { 200, "{\"title\":\"Bad\",\"status\":400,\"code\":\"E1\"}", ProviderStatus.ParseError, "missing 'results' array" },
        { 200, "", ProviderStatus.ParseError, "body is not valid JSON" },
        { 401, "", ProviderStatus.AuthError, "unauthorized" },
        { 403, "<html>Forbidden</html>", ProviderStatus.AuthError, "forbidden" },
        { 429, "{\"title\":\"Too many\",\"status\":429,\"code\":\"E429001\"}", ProviderStatus.RateLimited, "E429001" },
        { 400, "{\"title\":\"Illegal input\",\"status\":400,\"code\":\"E608001\",\"cause\":\"bbox too large\",\"action\":\"\",\"correlationId\":\"abc-1\"}", ProviderStatus.HttpError, "E608001" },
        { 400, "{\"title\":\"x\",\"status\":400,\"code\":\"not a code: apiKey=abc\"}", ProviderStatus.HttpError, "http_400" },
        { 400, "{\"code\":\"" + new string('A', 65) + "\"}", ProviderStatus.HttpError, "http_400" },
        { 404, "<html>not found</html>", ProviderStatus.HttpError, "http_404" },
        { 500, "{\"title\":\"Internal\",\"status\":500,\"code\":\"E500000\"}", ProviderStatus.HttpError, "http_500" },
        { 503, "", ProviderStatus.HttpError, "http_503" },
        { 302, "", ProviderStatus.HttpError, "http_302" },
    };

    [Theory]
    [MemberData(nameof(Inline))]
    public void Statuses_come_from_http_status_and_body_structure(int status, string body, string expectedStatus, string? expectedDetail)
    {
        var c = Classify(status, body);

        Assert.Equal(expectedStatus, c.Status);
        if (expectedStatus == ProviderStatus.ParseError) Assert.StartsWith(expectedDetail!, c.Detail);
        else Assert.Equal(expectedDetail, c.Detail);
        Assert.Null(c.Parsed);
        Assert.Empty(c.Pieces);
    }

    [Fact]
    public void An_auth_error_never_keeps_HEREs_error_description()
    {
        var c = Classify(401, """{"error":"Unauthorized","error_description":"apiKey SECRET-123 invalid.","correlationId":"c-42"}""");

        Assert.Equal("unauthorized", c.Detail);
        Assert.Equal("c-42", c.CorrelationId);
        Assert.DoesNotContain("SECRET", c.Detail + c.CorrelationId);
    }

    [Fact]
    public void A_correlation_id_that_does_not_look_like_one_is_not_kept()
    {
        var c = Classify(400, """{"code":"E1","correlationId":"<script>alert(1)</script>"}""");

        Assert.Equal("E1", c.Detail);
        Assert.Null(c.CorrelationId);
    }

    [Fact]
    public void An_ok_answer_carries_the_parsed_pieces_with_the_tracking_id()
    {
        var c = Classify(200, Fixture("congested/ayalon.body.json"), "corr-7");

        Assert.NotEmpty(c.Pieces);
        Assert.All(c.Pieces, p => Assert.Equal("corr-7", p.TrackingId));
        Assert.Equal(1, c.Parsed!.DroppedLowConfidence);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 6, 45, 0, TimeSpan.Zero), c.Parsed.SourceUpdatedUtc);
    }

    [Fact]
    public void An_answer_whose_pieces_were_all_dropped_stays_ok_and_says_how_many()
    {
        var body = """
            {"sourceUpdated":"2026-11-30T06:45:00Z","results":[
             {"location":{"shape":{"links":[{"points":[{"lat":32.06,"lng":34.79},{"lat":32.07,"lng":34.79}]}]}},"currentFlow":{"speed":10,"freeFlow":25,"confidence":0.6}},
             {"location":{"shape":{"links":[{"points":[{"lat":32.08,"lng":34.79},{"lat":32.09,"lng":34.79}]}]}},"currentFlow":{"speed":10,"freeFlow":25,"confidence":0.4}}]}
            """;

        var c = Classify(200, body);

        Assert.Equal(ProviderStatus.Ok, c.Status);
        Assert.Empty(c.Pieces);
        Assert.Equal(2, c.Parsed!.DroppedLowConfidence);
        Assert.Equal(2, c.Parsed.ResultCount);
    }
}
