using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Ayalon.Core.Traffic.Here;

/// <summary>
/// OAuth 1.0 request signing (RFC 5849 §3.4) with HMAC-SHA256, as HERE's token endpoint requires for the client
/// credentials grant: the signature base string is <c>METHOD&amp;enc(base URI)&amp;enc(normalized parameters)</c>, where
/// the parameters are the <c>oauth_*</c> protocol parameters, the form body (HERE documents <c>grant_type</c> as
/// part of it) and the URI's query, each name and value percent-encoded per RFC 3986, sorted by name then value.
/// The key is <c>enc(consumer secret)&amp;</c>: a two-legged request has no token secret.
/// </summary>
public static class OAuth1Signature
{
    public const string SignatureMethod = "HMAC-SHA256";
    public const string Version = "1.0";

    /// <summary>
    /// RFC 5849 §3.6: every octet except the unreserved set (ALPHA, DIGIT, <c>-._~</c>) as %XX of its UTF-8 byte,
    /// upper-case hex. <see cref="Uri.EscapeDataString"/> does exactly this on .NET (Core); form encoding ('+' for a
    /// space) would not.
    /// </summary>
    public static string Encode(string value) => Uri.EscapeDataString(value);

    /// <summary>RFC 5849 §3.4.1.2: lower-case scheme and host, the port only when not the scheme's default, no query.</summary>
    public static string BaseStringUri(Uri uri)
    {
        var builder = new StringBuilder();
        builder.Append(uri.Scheme.ToLowerInvariant()).Append("://").Append(uri.Host.ToLowerInvariant());
        if (!uri.IsDefaultPort) builder.Append(':').Append(uri.Port.ToString(CultureInfo.InvariantCulture));
        builder.Append(uri.AbsolutePath);
        return builder.ToString();
    }

    /// <summary>RFC 5849 §3.4.1: the string that is signed.</summary>
    public static string BaseString(string method, Uri uri, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var all = parameters.Concat(QueryParameters(uri));
        var normalized = string.Join('&', all
            .Select(p => (Name: Encode(p.Key), Value: Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
        return method.ToUpperInvariant() + "&" + Encode(BaseStringUri(uri)) + "&" + Encode(normalized);
    }

    /// <summary>RFC 5849 §3.4.2: base64 of HMAC-SHA256 keyed with <c>enc(consumer secret)&amp;enc(token secret)</c>.</summary>
    public static string Sign(string baseString, string consumerSecret, string tokenSecret = "")
    {
        var key = Encoding.UTF8.GetBytes(Encode(consumerSecret) + "&" + Encode(tokenSecret));
        return Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(baseString)));
    }

    /// <summary>
    /// The <c>Authorization: OAuth …</c> header for a signed request (RFC 5849 §3.5.1: each value percent-encoded and
    /// quoted). <paramref name="formParameters"/> are the request's form body; they are signed, not sent here.
    /// </summary>
    public static AuthenticationHeaderValue AuthorizationHeader(
        string method, Uri uri, IReadOnlyList<KeyValuePair<string, string>> formParameters,
        string consumerKey, string consumerSecret, string nonce, long timestampSeconds)
    {
        var protocol = new List<KeyValuePair<string, string>>
        {
            new("oauth_consumer_key", consumerKey),
            new("oauth_nonce", nonce),
            new("oauth_signature_method", SignatureMethod),
            new("oauth_timestamp", timestampSeconds.ToString(CultureInfo.InvariantCulture)),
            new("oauth_version", Version),
        };
        var signature = Sign(BaseString(method, uri, protocol.Concat(formParameters)), consumerSecret);
        protocol.Add(new("oauth_signature", signature));
        return new AuthenticationHeaderValue("OAuth", string.Join(", ", protocol.Select(p => $"{p.Key}=\"{Encode(p.Value)}\"")));
    }

    /// <summary>A fresh nonce: 128 random bits, hex (unreserved characters only, so it signs and sends unchanged).</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static IEnumerable<KeyValuePair<string, string>> QueryParameters(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0) yield break;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=');
            var name = at < 0 ? pair : pair[..at];
            var value = at < 0 ? "" : pair[(at + 1)..];
            yield return new(FormDecode(name), FormDecode(value));
        }
    }

    private static string FormDecode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
