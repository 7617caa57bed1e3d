using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Ayalon.Tests.Traffic.Here;

/// <summary>One token request as the account server saw it.</summary>
public sealed record TokenRequestSeen(
    string Method,
    string ContentType,
    string Body,
    string Authorization,
    IReadOnlyDictionary<string, string> OAuth,
    bool SignatureValid,
    string? AccessToken);

/// <summary>
/// A loopback stand-in for HERE's token endpoint (<c>POST /oauth2/token</c>) on a real Kestrel server. It verifies each
/// request the way the account server does, with its own OAuth 1.0 code (written from RFC 5849, not from the app's):
/// form body <c>grant_type=client_credentials</c>, the <c>Authorization: OAuth …</c> parameters, a nonce never seen
/// before, and the HMAC-SHA256 signature over the base string it rebuilds from the request it received. A valid
/// request gets a fresh token (<c>token-1</c>, <c>token-2</c> …); an invalid one HERE's 401 error body. Scripted
/// answers (<see cref="Then"/>) replace the verdict for the next requests (the request is still recorded).
/// </summary>
public sealed class FakeHereAccount : IAsyncDisposable
{
    public const string TokenPath = "/oauth2/token";

    private readonly ConcurrentDictionary<string, string> _credentials = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Scripted> _script = new();
    private readonly ConcurrentQueue<TokenRequestSeen> _seen = new();
    private readonly ConcurrentDictionary<string, byte> _nonces = new(StringComparer.Ordinal);
    private int _issued;
    private LoopbackServer _server = null!;

    public Uri TokenUrl { get; private set; } = null!;

    /// <summary>Seconds each issued token lives (HERE: 86399).</summary>
    public int ExpiresInSeconds { get; set; } = 86399;

    /// <summary>Delay before every answer (to hold requests in flight).</summary>
    public TimeSpan Delay { get; set; }

    public IReadOnlyList<TokenRequestSeen> Requests => _seen.ToArray();

    public int RequestCount => _seen.Count;

    public static string Unauthorized401Body =>
        """{"errorId":"ERROR-9d862c5a-4cfd-4780-8be4-2728b42849e1","httpStatus":401,"errorCode":401300,"message":"Invalid client credentials."}""";

    public static async Task<FakeHereAccount> StartAsync()
    {
        var fake = new FakeHereAccount();
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync);
        fake.TokenUrl = new Uri(fake._server.BaseUrl, TokenPath);
        return fake;
    }

    /// <summary>Registers (or rotates) an access key: requests signed with this secret are accepted.</summary>
    public FakeHereAccount Accept(string accessKeyId, string accessKeySecret)
    {
        _credentials[accessKeyId] = accessKeySecret;
        return this;
    }

    public FakeHereAccount Then(params Scripted[] answers)
    {
        foreach (var a in answers) _script.Enqueue(a);
        return this;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var authorization = ctx.Request.Headers.Authorization.ToString();
        var oauth = ParseOAuthHeader(authorization);
        var url = $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.Path}";
        var fresh = oauth.TryGetValue("oauth_nonce", out var nonce) && _nonces.TryAdd(nonce, 0);
        var valid = fresh && ctx.Request.Method == "POST" && ctx.Request.Path == TokenPath &&
                    ctx.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) == true &&
                    body == "grant_type=client_credentials" && SignatureIsValid(ctx.Request.Method, url, body, oauth);

        if (Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Delay, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                _seen.Enqueue(new TokenRequestSeen(ctx.Request.Method, ctx.Request.ContentType ?? "", body, authorization, oauth, valid, null));
                return;
            }
        }

        ctx.Response.Headers["X-Correlation-ID"] = "corr-" + Guid.NewGuid().ToString("N");
        if (_script.TryDequeue(out var scripted))
        {
            _seen.Enqueue(new TokenRequestSeen(ctx.Request.Method, ctx.Request.ContentType ?? "", body, authorization, oauth, valid, null));
            if (scripted.DelaySeconds > 0)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(scripted.DelaySeconds), ctx.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            ctx.Response.StatusCode = scripted.Status;
            foreach (var (name, value) in scripted.Headers ?? new Dictionary<string, string>()) ctx.Response.Headers[name] = Fill(value, oauth);
            if (scripted.Body is not null)
            {
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(Fill(scripted.Body, oauth));
            }
            return;
        }

        if (!valid)
        {
            _seen.Enqueue(new TokenRequestSeen(ctx.Request.Method, ctx.Request.ContentType ?? "", body, authorization, oauth, valid, null));
            ctx.Response.StatusCode = 401;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(Unauthorized401Body);
            return;
        }

        var token = "token-" + Interlocked.Increment(ref _issued);
        _seen.Enqueue(new TokenRequestSeen(ctx.Request.Method, ctx.Request.ContentType ?? "", body, authorization, oauth, valid, token));
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync($$"""{"access_token":"{{token}}","token_type":"bearer","expires_in":{{ExpiresInSeconds}}}""");
    }

    /// <summary><c>{secret}</c> in a scripted body or header becomes the registered secret of the request's key: a server echoing it.</summary>
    private string Fill(string text, IReadOnlyDictionary<string, string> oauth) =>
        oauth.TryGetValue("oauth_consumer_key", out var key) && _credentials.TryGetValue(key, out var secret)
            ? text.Replace("{secret}", secret, StringComparison.Ordinal)
            : text;

    private bool SignatureIsValid(string method, string url, string body, IReadOnlyDictionary<string, string> oauth)
    {
        if (!oauth.TryGetValue("oauth_consumer_key", out var key) || !_credentials.TryGetValue(key, out var secret)) return false;
        if (oauth.GetValueOrDefault("oauth_signature_method") != "HMAC-SHA256" || oauth.GetValueOrDefault("oauth_version") != "1.0") return false;
        if (!oauth.ContainsKey("oauth_timestamp") || !oauth.TryGetValue("oauth_signature", out var signature)) return false;
        var expected = ExpectedSignature(method, url, body, oauth.Where(p => p.Key != "oauth_signature"), secret);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
    }

    /// <summary>RFC 5849 §3.4.1–3.4.2 from the request as received (url: scheme://host:port/path, lower-case host).</summary>
    public static string ExpectedSignature(string method, string url, string formBody, IEnumerable<KeyValuePair<string, string>> oauth, string secret)
    {
        var pairs = oauth.Select(p => (Rfc3986(p.Key), Rfc3986(p.Value))).ToList();
        foreach (var field in formBody.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = field.Split('=', 2);
            pairs.Add((Rfc3986(Uri.UnescapeDataString(parts[0].Replace('+', ' '))), Rfc3986(Uri.UnescapeDataString(parts[1].Replace('+', ' ')))));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1) is var byName and not 0 ? byName : string.CompareOrdinal(a.Item2, b.Item2));
        var normalized = string.Join("&", pairs.Select(p => p.Item1 + "=" + p.Item2));
        var baseString = method + "&" + Rfc3986(url) + "&" + Rfc3986(normalized);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Rfc3986(secret) + "&"));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(baseString)));
    }

    /// <summary>RFC 3986 §2.1 percent-encoding of everything outside the unreserved set, byte by byte, upper-case hex.</summary>
    public static string Rfc3986(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~') builder.Append(c);
            else builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary><c>OAuth a="1", b="2"</c> → decoded name/value pairs (RFC 5849 §3.5.1).</summary>
    public static IReadOnlyDictionary<string, string> ParseOAuthHeader(string header)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!header.StartsWith("OAuth ", StringComparison.Ordinal)) return result;
        foreach (var part in header["OAuth ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var at = part.IndexOf('=');
            if (at <= 0) continue;
            var value = part[(at + 1)..];
            if (value.Length < 2 || value[0] != '"' || value[^1] != '"') continue;
            result[Uri.UnescapeDataString(part[..at])] = Uri.UnescapeDataString(value[1..^1]);
        }
        return result;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
