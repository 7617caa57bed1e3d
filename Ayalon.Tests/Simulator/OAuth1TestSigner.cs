using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ayalon.Tests.Simulator;

/// <summary>
/// A client-side OAuth 1.0 HMAC-SHA256 signer for HERE's token endpoint, written from RFC 5849 for the tests alone
/// (its own percent-encoding, its own base string), so a test that passes proves the simulator verifies signatures
/// the way the RFC builds them, not that it agrees with itself.
/// </summary>
internal static class OAuth1TestSigner
{
    public const string Body = "grant_type=client_credentials";

    /// <summary>RFC 3986 §2.3 unreserved characters pass; every other UTF-8 byte becomes %XX (upper-case hex).</summary>
    public static string PercentEncode(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '.' or '_' or '~') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>The <c>Authorization: OAuth …</c> header value for a POST of <see cref="Body"/> to <paramref name="tokenUrl"/>.</summary>
    public static string Header(Uri tokenUrl, string accessKeyId, string secret, DateTimeOffset at, string? nonce = null, string method = "HMAC-SHA256")
    {
        var oauth = new List<(string Name, string Value)>
        {
            ("oauth_consumer_key", accessKeyId),
            ("oauth_nonce", nonce ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(12))),
            ("oauth_signature_method", method),
            ("oauth_timestamp", at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            ("oauth_version", "1.0"),
        };
        var signed = oauth.Append((Name: "grant_type", Value: "client_credentials"))
            .Select(p => (Name: PercentEncode(p.Name), Value: PercentEncode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value);
        // RFC 5849 §3.4.1.2: lower-case scheme and host, the port only when it is not the default, no query.
        var port = tokenUrl.IsDefaultPort ? "" : ":" + tokenUrl.Port.ToString(CultureInfo.InvariantCulture);
        var baseUri = $"{tokenUrl.Scheme.ToLowerInvariant()}://{tokenUrl.Host.ToLowerInvariant()}{port}{tokenUrl.AbsolutePath}";
        var baseString = "POST&" + PercentEncode(baseUri) + "&" + PercentEncode(string.Join("&", signed));
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(PercentEncode(secret) + "&"));
        var signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(baseString)));
        return "OAuth " + string.Join(",", oauth.Append((Name: "oauth_signature", Value: signature)).Select(p => $"{p.Name}=\"{PercentEncode(p.Value)}\""));
    }

    /// <summary>Replaces one character of the signature inside a header (still valid base64, now wrong).</summary>
    public static string Tamper(string header)
    {
        var at = header.IndexOf("oauth_signature=\"", StringComparison.Ordinal) + "oauth_signature=\"".Length;
        var c = header[at] == 'A' ? 'B' : 'A';
        return header[..at] + c + header[(at + 1)..];
    }

    public static async Task<HttpResponseMessage> RequestTokenAsync(HttpClient http, Uri tokenUrl, string? authorization, string body = Body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await http.SendAsync(request);
    }
}
