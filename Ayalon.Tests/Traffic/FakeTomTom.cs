using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Ayalon.Tests.Traffic;

/// <summary>
/// One scripted answer. In <see cref="Body"/> and header values, <c>{url}</c> becomes the full request URL (query and
/// key included) and <c>{key}</c> the key the request carried — to play a provider that echoes the request.
/// </summary>
public sealed record Scripted(
    int Status,
    string? Body = null,
    double DelaySeconds = 0,
    bool Gzip = false,
    IReadOnlyDictionary<string, string>? Headers = null);

public sealed record SeenRequest(string Path, string Query, string? TrackingId, string AcceptEncoding, string? Key);

/// <summary>
/// A loopback stand-in for TomTom: a real Kestrel server on 127.0.0.1 that answers each request with the next
/// scripted answer (or <see cref="Fallback"/>), echoes the Tracking-ID header as TomTom does, and records requests.
/// </summary>
public sealed class FakeTomTom : IAsyncDisposable
{
    private readonly ConcurrentQueue<Scripted> _script = new();
    private readonly ConcurrentQueue<SeenRequest> _seen = new();
    private LoopbackServer _server = null!;

    public Uri BaseUrl { get; private set; } = null!;
    public Scripted Fallback { get; set; } = new(500, "{\"error\":\"script exhausted\"}");
    public IReadOnlyList<SeenRequest> Requests => _seen.ToArray();
    public int RequestCount => _seen.Count;

    public static string Fixture(params string[] parts) => File.ReadAllText(RepoPaths.Fixtures(parts));
    public static string OkBody => Fixture("2026-09-15", "arlozorov.body.json");
    public static string NoCoverageBody => Fixture("errors", "no_coverage.body.json");
    public static string ForbiddenBody => Fixture("errors", "forbidden.body.json");

    public static async Task<FakeTomTom> StartAsync()
    {
        var fake = new FakeTomTom();
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync);
        fake.BaseUrl = fake._server.BaseUrl;
        return fake;
    }

    public FakeTomTom Then(params Scripted[] answers)
    {
        foreach (var a in answers) _script.Enqueue(a);
        return this;
    }

    /// <summary>
    /// Until <paramref name="count"/> requests have arrived (a held one counts on arrival). A test whose client runs on
    /// a fake clock waits for this before moving the clock past the client's timeout; the bound only turns a hang
    /// into a failure.
    /// </summary>
    public async Task RequestsArrivedAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (RequestCount < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{RequestCount} of {count} requests arrived in 30 s");
            await Task.Delay(10);
        }
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var key = ctx.Request.Query["key"].FirstOrDefault();
        var trackingId = ctx.Request.Headers["Tracking-ID"].FirstOrDefault();
        _seen.Enqueue(new SeenRequest(ctx.Request.Path.Value ?? "", ctx.Request.QueryString.Value ?? "", trackingId,
            ctx.Request.Headers.AcceptEncoding.ToString(), key));
        var answer = _script.TryDequeue(out var next) ? next : Fallback;

        if (answer.DelaySeconds > 0)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(answer.DelaySeconds), ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up
            }
        }

        var fullUrl = $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.Path}{ctx.Request.QueryString}";
        string Fill(string text) => text.Replace("{url}", fullUrl, StringComparison.Ordinal).Replace("{key}", key ?? "", StringComparison.Ordinal);

        ctx.Response.StatusCode = answer.Status;
        if (trackingId is not null) ctx.Response.Headers["Tracking-ID"] = trackingId;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            ctx.Response.Headers[name] = Fill(value);
        }
        if (answer.Body is null) return;

        ctx.Response.ContentType = "application/json; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(Fill(answer.Body));
        if (answer.Gzip)
        {
            using var buffer = new MemoryStream();
            await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(bytes);
            }
            bytes = buffer.ToArray();
            ctx.Response.Headers.ContentEncoding = "gzip";
        }
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
