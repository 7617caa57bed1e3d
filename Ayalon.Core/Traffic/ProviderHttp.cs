using System.Net.Http.Headers;

namespace Ayalon.Core.Traffic;

/// <summary>
/// One HTTP exchange with a provider, as every provider client makes it: its own timeout (the HttpClient has none),
/// the body read whole and redacted before anything else sees it, and a failure turned into a status and a short
/// code from the exception's type and structured fields (<see cref="ErrorDetails"/>) — never from its message, which may hold the URL.
/// The caller builds the request and classifies the answer with its provider's own rules.
/// </summary>
public static class ProviderHttp
{
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
            return Failed(ProviderStatus.NetworkError, ErrorDetails.Timeout);
        }
        catch (HttpRequestException ex)
        {
            return Failed(ProviderStatus.NetworkError, ErrorDetails.ForNetwork(ex));
        }
        catch (IOException ex)
        {
            return Failed(ProviderStatus.NetworkError, ErrorDetails.ForIo(ex));
        }
        catch (InvalidDataException)
        {
            // A gzip stream that does not decompress: a body we cannot read, like malformed JSON.
            return Failed(ProviderStatus.ParseError, "invalid_content_encoding");
        }
    }
}
