using System.Security.Cryptography;
using System.Text;
using Ayalon.Core.Traffic.Here;

namespace Ayalon.Tests.Traffic.Here;

/// <summary>
/// OAuth 1.0 signing (RFC 5849 §3.4) as HERE's token endpoint checks it, against vectors computed outside the app:
/// the RFC's own normalization example and an HMAC-SHA256 vector computed with Python's hmac module.
/// </summary>
[Trait("Category", "Unit")]
public sealed class HereOAuthSignatureTests
{
    private static readonly Uri HereTokenUrl = new("https://account.api.here.com/oauth2/token");
    private static readonly KeyValuePair<string, string>[] GrantForm = [new("grant_type", "client_credentials")];

    [Fact]
    public void Base_string_and_signature_match_an_independently_computed_HMAC_SHA256_vector()
    {
        // Inputs with characters that must be encoded (space in the key id; '/', '+', '=' in the secret).
        const string keyId = "key-id~1 A", secret = "s3cr/t+k=y", nonce = "ZGAaMP";
        const long timestamp = 1512072698;
        // Computed with Python: urllib.parse.quote(safe='-._~') + hmac.new(key, base, sha256), base64.
        const string expectedBase =
            "POST&https%3A%2F%2Faccount.api.here.com%2Foauth2%2Ftoken&grant_type%3Dclient_credentials%26oauth_consumer_key%3Dkey-id~1%2520A" +
            "%26oauth_nonce%3DZGAaMP%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1512072698%26oauth_version%3D1.0";
        const string expectedSignature = "K72IlGWnGq6W9CyHNeHEwVhRWVVa44cXgR6GyQvYj1k=";

        var header = OAuth1Signature.AuthorizationHeader("POST", HereTokenUrl, GrantForm, keyId, secret, nonce, timestamp);
        var sent = FakeHereAccount.ParseOAuthHeader(header.ToString());

        Assert.Equal("OAuth", header.Scheme);
        Assert.Equal(expectedSignature, sent["oauth_signature"]);
        Assert.Equal(expectedBase, OAuth1Signature.BaseString("POST", HereTokenUrl,
            sent.Where(p => p.Key != "oauth_signature").Concat(GrantForm)));
        // And the same with .NET's HMAC over the literal base string, keyed enc(secret) + "&" (no token secret).
        var independent = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("s3cr%2Ft%2Bk%3Dy&"), Encoding.UTF8.GetBytes(expectedBase)));
        Assert.Equal(expectedSignature, independent);
    }

    [Fact]
    public void Authorization_header_carries_every_protocol_parameter_quoted_and_percent_encoded()
    {
        var header = OAuth1Signature.AuthorizationHeader("POST", HereTokenUrl, GrantForm, "key id", "secret", "n0nce", 1700000000).ToString();
        var sent = FakeHereAccount.ParseOAuthHeader(header);

        Assert.Equal(
            ["oauth_consumer_key", "oauth_nonce", "oauth_signature", "oauth_signature_method", "oauth_timestamp", "oauth_version"],
            sent.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("key id", sent["oauth_consumer_key"]);
        Assert.Contains("oauth_consumer_key=\"key%20id\"", header);
        Assert.Equal("HMAC-SHA256", sent["oauth_signature_method"]);
        Assert.Equal("1.0", sent["oauth_version"]);
        Assert.Equal("1700000000", sent["oauth_timestamp"]);
        Assert.DoesNotContain("secret", header, StringComparison.Ordinal); // only its signature travels
        // The signature is base64 ('+', '/', '=') and so is sent percent-encoded.
        Assert.Matches("oauth_signature=\"[A-Za-z0-9%]+\"", header);
        Assert.Equal(FakeHereAccount.ExpectedSignature("POST", "https://account.api.here.com/oauth2/token", "grant_type=client_credentials",
            sent.Where(p => p.Key != "oauth_signature"), "secret"), sent["oauth_signature"]);
    }

    [Fact]
    public void Normalizes_parameters_as_in_the_RFC_5849_example_request()
    {
        // RFC 5849 §3.4.1.1: query, form body and protocol parameters together; repeated names sorted by value;
        // empty values kept; the query's own encoding ('%3D%253D') decoded once and encoded again.
        var uri = new Uri("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        var parameters = new KeyValuePair<string, string>[]
        {
            new("oauth_consumer_key", "9djdj82h48djs9d2"),
            new("oauth_token", "kkk9d7dh3k39sjv7"),
            new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", "137131201"),
            new("oauth_nonce", "7d8f3e4a"),
            new("c2", ""),
            new("a3", "2 q"),
        };

        var baseString = OAuth1Signature.BaseString("POST", uri, parameters);

        Assert.Equal(
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D" +
            "%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1" +
            "%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7",
            baseString);
    }

    [Theory]
    [InlineData("https://Account.API.here.com/oauth2/token", "https://account.api.here.com/oauth2/token")]
    [InlineData("https://account.api.here.com:443/oauth2/token", "https://account.api.here.com/oauth2/token")]
    [InlineData("http://127.0.0.1:8080/oauth2/token?x=1", "http://127.0.0.1:8080/oauth2/token")]
    [InlineData("HTTP://EXAMPLE.COM:80/r%20v/X?id=123", "http://example.com/r%20v/X")]
    public void Base_string_URI_is_lower_case_scheme_and_host_without_default_port_or_query(string url, string expected) =>
        Assert.Equal(expected, OAuth1Signature.BaseStringUri(new Uri(url)));

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("AZaz09-._~", "AZaz09-._~")]
    [InlineData("*", "%2A")]
    [InlineData("+/=", "%2B%2F%3D")]
    [InlineData("!'()", "%21%27%28%29")]
    [InlineData("&%", "%26%25")]
    [InlineData("ü€", "%C3%BC%E2%82%AC")]
    public void Percent_encodes_everything_outside_RFC_3986_unreserved_with_upper_case_hex(string value, string expected)
    {
        Assert.Equal(expected, OAuth1Signature.Encode(value));
        Assert.Equal(FakeHereAccount.Rfc3986(value), OAuth1Signature.Encode(value));
    }

    [Fact]
    public void Every_nonce_is_new_and_needs_no_encoding()
    {
        var nonces = Enumerable.Range(0, 1000).Select(_ => OAuth1Signature.NewNonce()).ToList();
        Assert.Equal(nonces.Count, nonces.Distinct(StringComparer.Ordinal).Count());
        Assert.All(nonces, n => Assert.Equal(n, OAuth1Signature.Encode(n)));
        Assert.All(nonces, n => Assert.Equal(32, n.Length));
    }
}
