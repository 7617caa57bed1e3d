using System.Text.RegularExpressions;
using Ayalon.DevHost.Simulator;

namespace Ayalon.Tests.Simulator;

[Trait("Category", "Integration")]
public partial class SimulatorCommandTests
{
    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex ListeningLine();

    private static async Task<Uri> WaitForUrlAsync(StringWriter output, Task<int> run)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(run.IsCompleted, "the command ended early: " + output);
            var match = ListeningLine().Match(output.ToString());
            if (match.Success) return new Uri(match.Groups[1].Value);
            await Task.Delay(25);
        }
        throw new TimeoutException("the simulator never said where it listens: " + output);
    }

    [Fact]
    public async Task Command_serves_until_cancelled_and_prints_requests_without_the_key()
    {
        const string secret = "cli-secret-4c7e";
        var output = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = SimulatorCommand.RunAsync(["simulator", "--port", "0", "--seed", "3", "--key", secret], TextWriter.Synchronized(output), stop.Token);

        var url = await WaitForUrlAsync(output, run);
        using var http = new HttpClient { BaseAddress = url };
        using var ok = await http.GetAsync($"traffic/services/4/flowSegmentData/absolute/10/json?point=32.0705,34.7934&unit=KMPH&key={secret}");
        using var wrongKey = await http.GetAsync("traffic/services/4/flowSegmentData/absolute/10/json?point=32.0705,34.7934&key=other");
        stop.Cancel();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, exitCode);
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Equal(403, (int)wrongKey.StatusCode);
        var text = output.ToString();
        Assert.Contains("live, seed 3", text);
        Assert.Contains("point=32.0705,34.7934 key=present -> 200 ok", text);
        Assert.Contains("stopped after 2 requests", text);
        Assert.DoesNotContain(secret, text);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync("_simulator/state"));
    }

    [Fact]
    public async Task Command_prints_the_HERE_flow_and_token_urls_and_enforces_the_HERE_key()
    {
        const string secret = "cli-here-secret-9d1a";
        var output = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = SimulatorCommand.RunAsync(["simulator", "--port", "0", "--here-key", secret], TextWriter.Synchronized(output), stop.Token);

        var url = await WaitForUrlAsync(output, run);
        var text = output.ToString();
        var flowLine = text.Split('\n').Single(l => l.StartsWith("HERE flow:", StringComparison.Ordinal));
        var flowUrl = Regex.Match(flowLine, @"GET (\S+)&apiKey=").Groups[1].Value;
        using var http = new HttpClient { BaseAddress = url };
        using var ok = await http.GetAsync(flowUrl + "&apiKey=" + secret);
        using var wrong = await http.GetAsync(flowUrl + "&apiKey=other");
        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.StartsWith(url + "v7/flow?in=bbox:", flowUrl);
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.NotEqual("""{"sourceUpdated":null,"results":[]}""", await ok.Content.ReadAsStringAsync()); // the printed bbox covers the corridor
        Assert.Equal(401, (int)wrong.StatusCode);
        text = output.ToString();
        Assert.Contains($"HERE token:  POST {url}oauth2/token", text);
        Assert.Contains("GET /v7/flow in=bbox:", text);
        Assert.Contains("key=present -> 200 ok", text);
        Assert.Contains("-> 401 unauthorized:wrong_key", text);
        Assert.Contains("stopped after 2 requests and 0 token requests", text);
        Assert.DoesNotContain(secret, text);
    }

    [Fact]
    public async Task Command_replays_a_recorded_set()
    {
        var output = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = SimulatorCommand.RunAsync(["--port", "0", "--replay", "2026-09-15"], TextWriter.Synchronized(output), stop.Token);

        var url = await WaitForUrlAsync(output, run);
        using var http = new HttpClient { BaseAddress = url };
        var state = await http.GetStringAsync("_simulator/state");
        stop.Cancel();

        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("replay 2026-09-15", output.ToString());
        Assert.Contains("\"mode\":\"replay\"", state);
    }

    [Theory]
    [InlineData(new[] { "simulator", "--port", "http" }, "--port 'http' is not a whole number in 0..65535")]
    [InlineData(new[] { "--seed" }, "Required argument missing for option: '--seed'")]
    [InlineData(new[] { "--colour", "blue" }, "Unrecognized command or argument '--colour'")]
    [InlineData(new[] { "--fault", "earthquake" }, "--fault 'earthquake' is not one of none, no_coverage")]
    [InlineData(new[] { "--port", "0", "--replay", "1999-01-01" }, "not found")]
    [InlineData(new[] { "--port", "0", "--here-replay", "1999-01-01" }, "not found")]
    [InlineData(new[] { "--here-access-key-id", "id" }, "go together")]
    public async Task Command_refuses_bad_arguments_with_exit_code_2(string[] args, string mentioned)
    {
        var output = new StringWriter();

        var exitCode = await SimulatorCommand.RunAsync(args, output, CancellationToken.None);

        Assert.Equal(2, exitCode);
        Assert.Contains(mentioned, output.ToString());
    }

    [Fact]
    public async Task Command_help_lists_the_options_and_exits_0()
    {
        var output = new StringWriter();

        var exitCode = await SimulatorCommand.RunAsync(["simulator", "--help"], output, CancellationToken.None);

        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--port <N>", "--seed <N>", "--replay <SET>", "--here-key <KEY>", "--here-access-key-id <ID>", "--fault <KIND>", "--corridor <FILE>" })
        {
            Assert.Contains(option, output.ToString());
        }
    }
}
