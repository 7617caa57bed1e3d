using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Traffic.Here;

/// <summary>A bearer token from HERE's token endpoint. The token is a secret: never log or echo it.</summary>
public sealed record HereToken(string AccessToken, DateTimeOffset RequestedAtUtc, double ExpiresInSeconds);

/// <summary>One token exchange: the token when the endpoint issued one, and the exchange as a redacted attempt.</summary>
public sealed record HereTokenExchange(HereToken? Token, ProviderAttempt Attempt);

/// <summary>
/// HERE's OAuth 2.0 client-credentials token request: <c>POST {Here:TokenUrl}</c> with the form body
/// <c>grant_type=client_credentials</c>, signed OAuth 1.0 HMAC-SHA256 with the access key secret
/// (<see cref="OAuth1Signature"/>); the answer is <c>{"access_token","token_type":"bearer","expires_in"}</c>.
/// One exchange per call, no retry (the next cycle asks again), its own timeout (<see cref="HereOptions.TimeoutSeconds"/>).
/// The named HttpClient is registered without loggers, and nothing kept from an exchange (attempt, log line) holds
/// the secret or the token: only the token URL, the status, the time and HERE's own short error code.
/// </summary>
public sealed partial class HereTokenClient(
    IHttpClientFactory httpClients,
    IOptionsMonitor<HereOptions> options,
    TimeProvider time,
    ILogger<HereTokenClient> logger)
{
    public const string HttpClientName = "Ayalon.HereToken";
    public const string GrantType = "client_credentials";

    /// <summary>HERE's tracking header on every account API answer.</summary>
    public const string CorrelationIdHeader = "X-Correlation-ID";

    public const string DetailInvalidTokenResponse = "invalid_token_response";
    public const string DetailInvalidTokenUrl = "invalid_token_url";

    private static readonly KeyValuePair<string, string>[] Form = [new("grant_type", GrantType)];

    public async Task<HereTokenExchange> RequestAsync(string accessKeyId, string accessKeySecret, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeySecret);
        var o = options.CurrentValue;
        var requestTrackingId = Guid.NewGuid().ToString();
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        ProviderAttempt Attempt(string status, int? httpStatus, string url, long bytes, string? detail, string? responseTrackingId = null,
            double? retryAfterSeconds = null) =>
            new(1, status, httpStatus, url, startedAt, time.GetElapsedTime(started).TotalMilliseconds, requestTrackingId,
                responseTrackingId, bytes, detail, retryAfterSeconds);

        if (!Uri.TryCreate(o.TokenUrl?.Trim(), UriKind.Absolute, out var tokenUrl) ||
            tokenUrl.Scheme is not ("https" or "http"))
        {
            // Options validation rejects this at start; a reload could still bring it. Nothing is sent.
            return Finish(new HereTokenExchange(null, Attempt(ProviderStatus.NotConfigured, null, "", 0, DetailInvalidTokenUrl)));
        }
        // The token URL carries no credential (they travel in the header and are only signed), so it is kept as is.
        var url = tokenUrl.GetLeftPart(UriPartial.Path);

        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl) { Content = new FormUrlEncodedContent(Form) };
        request.Headers.Authorization = OAuth1Signature.AuthorizationHeader("POST", tokenUrl, Form, accessKeyId, accessKeySecret,
            OAuth1Signature.NewNonce(), startedAt.ToUnixTimeSeconds());
        request.Headers.Accept.ParseAdd("application/json");
        var redactor = new SecretRedactor([accessKeySecret]);
        bool ContainsSecret(string text) => redactor.Contains(text);

        var x = await ProviderHttp.SendAsync(httpClients.CreateClient(HttpClientName), request, TimeSpan.FromSeconds(o.TimeoutSeconds),
            redactor, time, cancellationToken).ConfigureAwait(false);
        if (x.FailureStatus is { } failure)
        {
            return Finish(new HereTokenExchange(null, Attempt(failure, null, url, 0, x.FailureDetail)));
        }
        var body = x.Body!;
        var httpStatus = x.HttpStatus!.Value;
        var responseTrackingId = ErrorDetails.SafeProviderCode(x.Header(CorrelationIdHeader, redactor), ContainsSecret);
        if (httpStatus is >= 200 and < 300)
        {
            return TryReadToken(body) is { } token
                ? Finish(new HereTokenExchange(new HereToken(token.AccessToken, startedAt, token.ExpiresInSeconds),
                    Attempt(ProviderStatus.Ok, httpStatus, url, body.LongLength, null, responseTrackingId)))
                : Finish(new HereTokenExchange(null,
                    Attempt(ProviderStatus.ParseError, httpStatus, url, body.LongLength, DetailInvalidTokenResponse, responseTrackingId)));
        }
        var (status, detail) = Classify(httpStatus, AccountError.TryRead(body), ContainsSecret);
        return Finish(new HereTokenExchange(null, Attempt(status, httpStatus, url, body.LongLength, detail, responseTrackingId, x.RetryAfterSeconds)));
    }

    /// <summary>
    /// 401/403 are refused credentials. HERE's account API also documents error code 401300 ("invalid client
    /// credentials") under HTTP 400, and RFC 6749 §5.2 allows <c>invalid_client</c> with 400: both are refused
    /// credentials too, not a malformed request of ours.
    /// </summary>
    private static (string Status, string Detail) Classify(int httpStatus, AccountError? error, Func<string, bool> containsSecret)
    {
        var code = (error?.ErrorCode is { } n ? n.ToString(CultureInfo.InvariantCulture) : null)
                   ?? ErrorDetails.SafeProviderCode(error?.Error, containsSecret)
                   ?? "http_" + httpStatus.ToString(CultureInfo.InvariantCulture);
        return httpStatus switch
        {
            401 or 403 => (ProviderStatus.AuthError, code),
            400 when error?.ErrorCode is >= 401000 and < 402000 || error?.Error is "invalid_client" or "unauthorized_client" =>
                (ProviderStatus.AuthError, code),
            429 => (ProviderStatus.RateLimited, code),
            >= 500 => (ProviderStatus.HttpError, "http_" + httpStatus.ToString(CultureInfo.InvariantCulture)),
            _ => (ProviderStatus.HttpError, code),
        };
    }

    private static (string AccessToken, double ExpiresInSeconds)? TryReadToken(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var token = root.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var type = root.TryGetProperty("token_type", out var y) && y.ValueKind == JsonValueKind.String ? y.GetString() : null;
            double? expiresIn = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var s) ? s : null;
            // A token that is not a bearer b64token (RFC 6750 §2.1) could not be sent in a header anyway.
            if (token is null || !BearerToken().IsMatch(token)) return null;
            if (!string.Equals(type, "bearer", StringComparison.OrdinalIgnoreCase)) return null;
            if (expiresIn is not > 0) return null;
            return (token, expiresIn.Value);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private HereTokenExchange Finish(HereTokenExchange exchange)
    {
        var a = exchange.Attempt;
        if (a.Status == ProviderStatus.Ok)
        {
            logger.LogDebug("HERE token request {Status} HTTP {HttpStatus} in {ElapsedMs:0} ms, expires in {ExpiresInSeconds} s, correlation {CorrelationId}, {Url}",
                a.Status, a.HttpStatus, a.ElapsedMs, exchange.Token?.ExpiresInSeconds, a.ResponseTrackingId ?? a.RequestTrackingId, a.RedactedUrl);
        }
        else
        {
            logger.LogWarning("HERE token request {Status} ({Detail}) HTTP {HttpStatus} in {ElapsedMs:0} ms, correlation {CorrelationId}, {Url}",
                a.Status, a.ErrorDetail, a.HttpStatus, a.ElapsedMs, a.ResponseTrackingId ?? a.RequestTrackingId, a.RedactedUrl);
        }
        return exchange;
    }

    [GeneratedRegex("^[A-Za-z0-9._~+/-]+=*$")]
    private static partial Regex BearerToken();

    /// <summary>
    /// HERE account API errors: <c>{"errorId","httpStatus","errorCode":401300,"message"}</c>; the token endpoint's
    /// 400 may also be RFC 6749's <c>{"error","error_description"}</c>. Only the codes are read; messages never are.
    /// </summary>
    private sealed record AccountError(int? ErrorCode, string? Error)
    {
        public static AccountError? TryRead(byte[] body)
        {
            if (body.Length == 0) return null;
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return null;
                int? code = root.TryGetProperty("errorCode", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) ? n : null;
                var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                return new AccountError(code, error);
            }
            catch (JsonException)
            {
                return null; // an HTML gateway page or the like: classified by status alone
            }
        }
    }
}
