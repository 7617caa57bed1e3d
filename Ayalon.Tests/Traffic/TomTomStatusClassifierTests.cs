using System.Text;
using Ayalon.Core.Traffic;
using static Ayalon.Tests.Physics.PhysicsTestData;

namespace Ayalon.Tests.Traffic;

/// <summary>The one TomTom status classifier (shared by TomTomClient and replay) on the recorded and documented bodies.</summary>
[Trait("Category", "Unit")]
public sealed class TomTomStatusClassifierTests
{
    [Theory]
    [InlineData(200, "2026-09-15/arlozorov.body.json", "ok", null)]
    [InlineData(400, "errors/no_coverage.body.json", "no_coverage", TomTomStatusClassifier.DetailNoCoverage)]
    [InlineData(403, "errors/forbidden.body.json", "auth_error", "FORBIDDEN")]
    [InlineData(400, "errors/forbidden.body.json", "http_error", "FORBIDDEN")] // a 400 that is not "point too far" is not no_coverage
    public void Recorded_answers_are_classified(int status, string fixture, string expectedStatus, string? expectedDetail)
    {
        var c = TomTomStatusClassifier.Classify(status, File.ReadAllBytes(FixturePath(fixture)), "t-1");

        Assert.Equal(expectedStatus, c.Status);
        Assert.Equal(expectedDetail, c.Detail);
        Assert.Equal(expectedStatus == ProviderStatus.Ok, c.Piece is not null);
    }

    [Fact]
    public void A_code_the_caller_knows_to_be_secret_is_not_kept()
    {
        var body = Encoding.UTF8.GetBytes("""{"error":"x","httpStatusCode":403,"detailedError":{"code":"KEY123","message":"m"}}""");

        Assert.Equal("KEY123", TomTomStatusClassifier.Classify(403, body, null).Detail);
        Assert.Equal("http_403", TomTomStatusClassifier.Classify(403, body, null, s => s.Contains("KEY123", StringComparison.Ordinal)).Detail);
    }
}
