using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Ayalon.Core.Traffic;

/// <summary>
/// One HTTP exchange with a provider, as every provider client makes it: its own timeout (the HttpClient has none),
/// the body read whole and redacted before anything else sees it, and a failure turned into a status and a short
/// code from the exception's type and structured fields — never from its message, which may hold the URL.
/// The caller builds the request and classifies the answer with its provider's own rules.
/// </summary>
public static class ProviderHttp
{
    public const string DetailTimeout = "timeout";
    public const string DetailConnectionRefused = "connection_refused";

    /// <summary>
    /// What came back. <see cref="FailureStatus"/> set: no usable HTTP answer (network_error, or parse_error for a
    /// body that does not decompress), and <see cref="HttpStatus"/>/<see cref="Body"/> are null.
    /// </summary>
    public sealed record Exchange(
        DateTimeOffset StartedAtUtc,
        DateTimeOffset FinishedAtUtc,
        double ElapsedMs,
        int? HttpStatus,
        byte[]? Body,
        HttpResponseHeaders? Headers,
        string? FailureStatus,
        string? FailureDetail)
    {
        /// <summary>A response header's first value, redacted.</summary>
        public string? Header(string name, SecretRedactor redactor) =>
            Headers is not null && Headers.TryGetValues(name, out var values) ? redactor.Redact(values.FirstOrDefault()) : null;

        public DateTimeOffset? ResponseDateUtc => Headers?.Date;

        /// <summary>Seconds from <c>Retry-After</c> (delta or date), only on a 429.</summary>
        public double? RetryAfterSeconds
        {
            get
            {
                if (HttpStatus != 429 || Headers?.RetryAfter is not { } retryAfter) return null;
                if (retryAfter.Delta is { } delta) return Math.Max(0, delta.TotalSeconds);
                if (retryAfter.Date is { } date) return Math.Max(0, (date - FinishedAtUtc).TotalSeconds);
                return null;
            }
        }
    }

    public static async Task<Exchange> SendAsync(
        HttpClient http, HttpRequestMessage request, TimeSpan timeout, SecretRedactor redactor, TimeProvider time, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        request.Headers.AcceptEncoding.ParseAdd("gzip");

        Exchange Failed(string status, string detail) =>
            new(startedAt, time.GetUtcNow(), time.GetElapsedTime(started).TotalMilliseconds, null, null, null, status, detail);

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            // Everything kept from the answer derives from the redacted body, so an echoed credential cannot reach storage.
            var body = redactor.Redact(await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false));
            return new Exchange(startedAt, time.GetUtcNow(), time.GetElapsedTime(started).TotalMilliseconds,
                (int)response.StatusCode, body, response.Headers, null, null);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Failed(ProviderStatus.NetworkError, DetailTimeout);
        }
        catch (HttpRequestException ex)
        {
            return Failed(ProviderStatus.NetworkError, NetworkDetail(ex));
        }
        catch (IOException ex)
        {
            return Failed(ProviderStatus.NetworkError, ex.InnerException is SocketException se ? SocketDetail(se) : "io_error");
        }
        catch (InvalidDataException)
        {
            // A gzip stream that does not decompress: a body we cannot read, like malformed JSON.
            return Failed(ProviderStatus.ParseError, "invalid_content_encoding");
        }
    }

    /// <summary>From the exception's type and its structured error fields — never from its message.</summary>
    public static string NetworkDetail(HttpRequestException ex)
    {
        if (ex.InnerException is SocketException se) return SocketDetail(se);
        if (ex.InnerException is IOException { InnerException: SocketException ise }) return SocketDetail(ise);
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "name_resolution_error",
            HttpRequestError.ConnectionError => "connection_error",
            HttpRequestError.SecureConnectionError => "secure_connection_error",
            HttpRequestError.ResponseEnded => "response_ended",
            HttpRequestError.InvalidResponse => "invalid_response",
            HttpRequestError.ProxyTunnelError => "proxy_tunnel_error",
            HttpRequestError.HttpProtocolError => "http_protocol_error",
            HttpRequestError.ConfigurationLimitExceeded => "configuration_limit_exceeded",
            HttpRequestError.ExtendedConnectNotSupported => "extended_connect_not_supported",
            HttpRequestError.VersionNegotiationError => "version_negotiation_error",
            HttpRequestError.UserAuthenticationError => "user_authentication_error",
            _ => "http_request_error",
        };
    }

    public static string SocketDetail(SocketException se) => se.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => DetailConnectionRefused,
        SocketError.ConnectionReset => "connection_reset",
        SocketError.TimedOut => "connect_timeout",
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "name_resolution_error",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "unreachable",
        _ => "socket_error",
    };
}
