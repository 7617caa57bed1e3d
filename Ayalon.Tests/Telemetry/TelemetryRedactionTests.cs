using Ayalon.Functions.Telemetry;
using Microsoft.ApplicationInsights.DataContracts;

namespace Ayalon.Tests.Telemetry;

[Trait("Category", "Unit")]
public sealed class TelemetryRedactionTests
{
    private const string Canary = "CANARY-0123456789abcdef";

    [Theory]
    [InlineData("https://api.tomtom.com/traffic/services/4/flowSegmentData/absolute/10/json?point=32.1,34.8&unit=KMPH&openLr=false&key=CANARY-0123456789abcdef",
        "https://api.tomtom.com/traffic/services/4/flowSegmentData/absolute/10/json?point=32.1,34.8&unit=KMPH&openLr=false&key=***")]
    [InlineData("GET /x?key=CANARY-0123456789abcdef&unit=KMPH", "GET /x?key=***&unit=KMPH")]
    [InlineData("https://h/x?KEY=CANARY-0123456789abcdef#frag", "https://h/x?KEY=***#frag")]
    [InlineData("https://h/api/admin/collect?code=CANARY-0123456789abcdef", "https://h/api/admin/collect?code=***")]
    [InlineData("https://st.blob.core.windows.net/c/b?sv=2024&sig=CANARY-0123456789abcdef", "https://st.blob.core.windows.net/c/b?sv=2024&sig=***")]
    [InlineData("https://h/x?subscription-key=CANARY-0123456789abcdef;api-key=CANARY-0123456789abcdef", "https://h/x?subscription-key=***;api-key=***")]
    [InlineData("https://h/x?key%3DCANARY-0123456789abcdef", "https://h/x?key%3D***")]
    [InlineData("{\"url\":\"https://h/x?a=1\\u0026key=CANARY-0123456789abcdef\"}", "{\"url\":\"https://h/x?a=1\\u0026key=***\"}")]
    [InlineData("https://h/x?monkey=banana&hotkey=1", "https://h/x?monkey=banana&hotkey=1")]
    [InlineData("no query here", "no query here")]
    public void Query_credentials_are_masked_and_nothing_else_changes(string input, string expected) =>
        Assert.Equal(expected, TelemetryRedaction.Redact(input));

    [Fact]
    public void Every_url_bearing_field_of_every_item_kind_is_redacted()
    {
        var url = "https://api.tomtom.com/flow?point=1,2&key=" + Canary;
        var dependency = new DependencyTelemetry("Http", "api.tomtom.com", "GET /flow?key=" + Canary, url);
        dependency.Properties["Url"] = url;
        var request = new RequestTelemetry { Url = new Uri(url), Name = "GET " + url };
        var trace = new TraceTelemetry("calling " + url);
        var exception = new ExceptionTelemetry(new HttpRequestException("failed " + url));
        var ev = new EventTelemetry("x");
        ev.Properties["Target"] = url;

        foreach (var item in new Microsoft.ApplicationInsights.Channel.ITelemetry[] { dependency, request, trace, exception, ev })
        {
            TelemetryRedaction.Apply(item);
        }

        var text = System.Text.Encoding.UTF8.GetString(Microsoft.ApplicationInsights.Extensibility.Implementation.JsonSerializer.Serialize(
            [dependency, request, trace, exception, ev], compress: false));
        Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
        Assert.Contains("key=***", dependency.Data, StringComparison.Ordinal);
        Assert.Contains("key=***", request.Url.ToString(), StringComparison.Ordinal);
    }
}
