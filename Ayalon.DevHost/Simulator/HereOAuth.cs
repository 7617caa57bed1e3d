using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ayalon.DevHost.Simulator;

/// <summary>What the token endpoint decided: a token, or HERE's status, numeric error code and message.</summary>
public sealed record HereTokenDecision(int Status, int? ErrorCode, string? Message, string? OAuthError, string Outcome, string? AccessToken = null)
{
    public bool Issued => AccessToken is not null;

    internal static HereTokenDecision Refused(int status, int errorCode, string message, string outcome, string oauthError = "invalid_request") =>
        new(status, errorCode, message, oauthError, outcome);
}

/// <summary>
/// HERE's OAuth 2.0 client-credentials token endpoint (<c>POST /oauth2/token</c>), authenticated the way HERE's is:
/// an OAuth 1.0 <c>Authorization</c> header signed with HMAC-SHA256 (RFC 5849 §3.4: the signature base string is the
/// method, the request's own URL and the normalised oauth_* and body parameters; the key is the percent-encoded
/// access key secret followed by <c>&amp;</c>). Tokens it issues are random; only their SHA-256 is kept, with the
/// expiry, so the simulator holds no usable credential in memory or in its log.
/// </summary>
public sealed class HereOAuth(SimulatorOptions options)
{
    /// <summary>HERE rejects requests "created too far in the past or future"; ten minutes either way here.</summary>
    public static readonly TimeSpan TimestampTolerance = TimeSpan.FromMinutes(10);

    public const string SignatureMismatchMessage = "Signature mismatch. Authorization signature or client credential is wrong.";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokenExpiries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _usedNonces = new(StringComparer.Ordinal);

    /// <summary>Verifies a token request and, when it holds, issues a token.</summary>
    /// <param name="method">The request's HTTP method.</param>
    /// <param name="baseUri">The request's URL without query, as RFC 5849 §3.4.1.2 builds it (scheme and host lower case, default port omitted).</param>
    /// <param name="authorization">The <c>Authorization</c> header, or null.</param>
    /// <param name="parameters">The form body's and the query's parameters, decoded.</param>
    public HereTokenDecision Decide(string method, string baseUri, string? authorization, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (string.IsNullOrWhiteSpace(authorization))
            return HereTokenDecision.Refused(401, 401200, "Authorization header missing.", "no_authorization");
        var header = ParseAuthorization(authorization);
        if (header is null)
            return HereTokenDecision.Refused(401, 401202, "Invalid Authorization header. Malformed OAuth 1.0 header.", "malformed_authorization");
        foreach (var required in new[] { "oauth_consumer_key", "oauth_nonce", "oauth_signature_method", "oauth_timestamp", "oauth_signature" })
        {
            if (!header.ContainsKey(required) || header[required].Length == 0)
                return HereTokenDecision.Refused(401, 401202, $"Invalid Authorization header. Missing {required}.", "malformed_authorization");
        }
        if (header["oauth_signature_method"] != "HMAC-SHA256")
            return HereTokenDecision.Refused(401, 401205, "Unsupported signature method. Use HMAC-SHA256.", "unsupported_signature_method");
        if (header.TryGetValue("oauth_version", out var version) && version != "1.0")
            return HereTokenDecision.Refused(401, 401206, "Unsupported oauth_version. Use 1.0.", "unsupported_version");

        var grantTypes = parameters.Where(p => p.Key == "grant_type").Select(p => p.Value).ToList();
        if (grantTypes.Count == 0)
            return HereTokenDecision.Refused(400, 400201, "Missing required field: grant_type.", "bad_request");
        if (grantTypes is not ["client_credentials"])
            return HereTokenDecision.Refused(400, 400203, "Invalid value for grant_type. Use client_credentials.", "bad_request");

        var now = options.TimeProvider.GetUtcNow();
        if (!long.TryParse(header["oauth_timestamp"], NumberStyles.None, CultureInfo.InvariantCulture, out var epochSeconds) ||
            epochSeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() ||
            (DateTimeOffset.FromUnixTimeSeconds(epochSeconds) - now).Duration() > TimestampTolerance)
        {
            return HereTokenDecision.Refused(401, 401204, "Time stamp is outside the valid period.", "stale_timestamp");
        }

        if (string.IsNullOrEmpty(options.HereAccessKeyId) || string.IsNullOrEmpty(options.HereAccessKeySecret) ||
            !FixedTimeEquals(header["oauth_consumer_key"], options.HereAccessKeyId))
        {
            return HereTokenDecision.Refused(401, 401300, SignatureMismatchMessage, "unknown_access_key", "invalid_client");
        }
        var expected = Sign(method, baseUri, header, parameters, options.HereAccessKeySecret);
        if (!FixedTimeEquals(header["oauth_signature"], expected))
            return HereTokenDecision.Refused(401, 401300, SignatureMismatchMessage, "signature_mismatch", "invalid_client");

        // A nonce counts once the request is proven genuine, so a forged request cannot burn someone's nonce.
        ForgetOldNonces(now);
        if (!_usedNonces.TryAdd(header["oauth_nonce"], now))
            return HereTokenDecision.Refused(401, 401207, "Nonce already consumed.", "nonce_reused");

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _tokenExpiries[Hash(token)] = now.AddSeconds(options.HereTokenExpiresInSeconds);
        return new HereTokenDecision(200, null, null, null, "token_issued", token);
    }

    /// <summary>Whether a bearer token was issued here; <paramref name="expired"/> when it was but its time is up.</summary>
    public bool IsValid(string token, out bool expired)
    {
        expired = false;
        if (!_tokenExpiries.TryGetValue(Hash(token), out var expiresAt)) return false;
        expired = options.TimeProvider.GetUtcNow() >= expiresAt;
        return !expired;
    }

    /// <summary>RFC 5849 §3.4: the signature base string, then HMAC-SHA256 keyed with the encoded secret and "&amp;".</summary>
    internal static string Sign(string method, string baseUri, IReadOnlyDictionary<string, string> oauth, IEnumerable<KeyValuePair<string, string>> parameters, string secret)
    {
        var all = oauth
            .Where(p => p.Key is not ("oauth_signature" or "realm"))
            .Concat(parameters)
            .Select(p => (Name: Encode(p.Key), Value: Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        var normalized = string.Join('&', all.Select(p => p.Name + "=" + p.Value));
        var baseString = method.ToUpperInvariant() + "&" + Encode(baseUri) + "&" + Encode(normalized);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Encode(secret) + "&"), Encoding.UTF8.GetBytes(baseString));
        return Convert.ToBase64String(mac);
    }

    /// <summary>RFC 3986 percent-encoding of everything but the unreserved characters (RFC 5849 §3.6).</summary>
    internal static string Encode(string value) => Uri.EscapeDataString(value);

    /// <summary>
    /// <c>OAuth name="value", …</c> (RFC 5849 §3.5.1): names and values percent-decoded; null when the scheme is not
    /// OAuth, a part is not <c>name="value"</c>, or a name repeats.
    /// </summary>
    internal static Dictionary<string, string>? ParseAuthorization(string header)
    {
        const string scheme = "OAuth ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawPart in header[scheme.Length..].Split(','))
        {
            var part = rawPart.Trim();
            if (part.Length == 0) continue;
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) return null;
            var value = part[(eq + 1)..].Trim();
            if (value.Length < 2 || value[0] != '"' || value[^1] != '"') return null;
            string name, decoded;
            try
            {
                name = Uri.UnescapeDataString(part[..eq].Trim());
                decoded = Uri.UnescapeDataString(value[1..^1]);
            }
            catch (UriFormatException)
            {
                return null;
            }
            if (!values.TryAdd(name, decoded)) return null;
        }
        return values;
    }

    private void ForgetOldNonces(DateTimeOffset now)
    {
        // A nonce older than twice the timestamp tolerance cannot come back with an acceptable timestamp.
        foreach (var (nonce, seenAt) in _usedNonces)
        {
            if (now - seenAt > 2 * TimestampTolerance) _usedNonces.TryRemove(nonce, out _);
        }
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
