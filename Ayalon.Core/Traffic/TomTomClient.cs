using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.Core.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Traffic;

/// <summary>
/// Typed HttpClient for TomTom Traffic Flow Segment Data v4
/// (<c>GET /traffic/services/4/flowSegmentData/absolute/{zoom}/json?point=lat,lon&amp;unit=KMPH&amp;openLr=false&amp;key=…</c>).
/// Every attempt sends a fresh <c>Tracking-ID</c> UUID, has its own timeout, and is reported with the key redacted.
/// The HttpClient is registered without loggers: its default logging writes request URIs, i.e. the key.
/// </summary>
public sealed class TomTomClient(
    HttpClient http,
    IOptionsMonitor<TomTomOptions> options,
    ITomTomKeySource keySource,
    TimeProvider time,
    ILogger<TomTomClient> logger) : ITrafficProvider
{
    public const string FlowPath = "/traffic/services/4/flowSegmentData/absolute/{0}/json";
    public const string TrackingIdHeader = "Tracking-ID";

    /// <summary>
    /// TomTom's documented error text for a point with no road segment in its traffic model nearby — since
    /// 2026-09-15 the answer for every Israeli point. It is compared for equality with TomTom's structured error
    /// fields (<c>detailedError.message</c>, <c>error</c>), never searched for in exception text: it is the only
    /// signal TomTom gives (the code is the generic INVALID_REQUEST), and an exact match cannot misfire on other 400s.
    /// </summary>
    public const string NoCoverageMessage = "Point too far from nearest existing segment.";

    public const string DetailTimeout = ErrorDetails.Timeout;
    public const string DetailConnectionRefused = ErrorDetails.ConnectionRefused;
    public const string DetailNoCoverage = "point_too_far_from_segment";

    private const string Redacted = "***";

    public string Name => TomTomFlowParser.ProviderName;

    /// <summary>
    /// False while the key source knows no key is usable. A Key Vault source whose last read failed says so until a
    /// read succeeds, but lets a request through once a retry is due: the read happens then, and an answer
    /// without a key is still <c>not_configured</c> with nothing sent.
    /// </summary>
    public bool IsConfigured => keySource.MissingKeyReason is null || keySource.RetryDue;

    public Task<ProviderAnswer> GetFlowAsync(GeoPoint point, CancellationToken cancellationToken) =>
        GetFlowAsync(point, null, cancellationToken);

    public async Task<ProviderAnswer> GetFlowAsync(GeoPoint point, ReserveExtraAttempt? reserveExtraAttempt, CancellationToken cancellationToken)
    {
        var o = options.CurrentValue;
        var pathAndQuery = string.Format(CultureInfo.InvariantCulture, FlowPath, o.Zoom) +
                           FormattableString.Invariant($"?point={point.LatitudeDeg:0.######},{point.LongitudeDeg:0.######}&unit=KMPH&openLr=false&key=");
        var baseUrl = o.BaseUrl.TrimEnd('/');
        var redactedUrl = baseUrl + pathAndQuery + Redacted;

        var key = await keySource.GetKeyAsync(cancellationToken).ConfigureAwait(false);
        if (CredentialRules.ProblemOf(key) is { } problem)
        {
            var reason = key is null ? keySource.MissingKeyReason ?? problem : problem;
            logger.LogWarning("TomTom not configured ({Reason}); no request sent", reason);
            return new ProviderAnswer(Name, ProviderStatus.NotConfigured, null, [], null, time.GetUtcNow(), null, reason);
        }

        var url = new Uri(baseUrl + pathAndQuery + Uri.EscapeDataString(key!));
        var redactor = new KeyRedactor(key!);
        var attempts = new List<ProviderAttempt>(2);

        var result = await SendOnceAsync(1, url, redactedUrl, redactor, o, cancellationToken).ConfigureAwait(false);
        attempts.Add(result.Attempt);
        if (IsWorthRetrying(result.Attempt) && reserveExtraAttempt is not null &&
            await reserveExtraAttempt(result.Attempt, cancellationToken).ConfigureAwait(false))
        {
            if (o.RetryDelayMilliseconds > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(o.RetryDelayMilliseconds), time, cancellationToken).ConfigureAwait(false);
            }
            result = await SendOnceAsync(2, url, redactedUrl, redactor, o, cancellationToken).ConfigureAwait(false);
            attempts.Add(result.Attempt);
        }

        var final = result.Attempt;
        if (final.Status == ProviderStatus.AuthError)
        {
            // The key may have been rotated: read it afresh next time instead of repeating a rejected one.
            keySource.Invalidate();
        }
        return new ProviderAnswer(Name, final.Status, result.Piece, attempts, result.Body, result.FetchedAtUtc, result.ResponseDateUtc,
            final.ErrorDetail);
    }

    /// <summary>Retry only what may pass on a second try; a 4xx (coverage, key, rate) or a bad body will not.</summary>
    public static bool IsWorthRetrying(ProviderAttempt attempt) =>
        attempt.Status == ProviderStatus.NetworkError ||
        (attempt.Status == ProviderStatus.HttpError && attempt.HttpStatus >= 500);

    private sealed record AttemptResult(ProviderAttempt Attempt, FlowPiece? Piece, byte[]? Body, DateTimeOffset FetchedAtUtc, DateTimeOffset? ResponseDateUtc);

    private async Task<AttemptResult> SendOnceAsync(
        int number, Uri url, string redactedUrl, KeyRedactor redactor, TomTomOptions o, CancellationToken cancellationToken)
    {
        var requestTrackingId = Guid.NewGuid().ToString();
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(o.TimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        request.Headers.TryAddWithoutValidation(TrackingIdHeader, requestTrackingId);

        ProviderAttempt Failed(string status, string detail) => new(
            number, status, null, redactedUrl, startedAt, time.GetElapsedTime(started).TotalMilliseconds, requestTrackingId, null, 0, detail);

        ProviderAttempt attempt;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            // Everything kept from the answer derives from the redacted body, so an echoed key cannot reach storage.
            var body = redactor.Redact(await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false));
            var fetchedAt = time.GetUtcNow();
            var elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
            var responseTrackingId = response.Headers.TryGetValues(TrackingIdHeader, out var values)
                ? redactor.Redact(values.FirstOrDefault())
                : null;
            var httpStatus = (int)response.StatusCode;
            var (status, piece, detail) = Classify(httpStatus, body, responseTrackingId ?? requestTrackingId, redactor);
            var retryAfterSeconds = httpStatus == 429 ? RetryAfterSeconds(response, fetchedAt) : null;
            attempt = new ProviderAttempt(number, status, httpStatus, redactedUrl, startedAt, elapsedMs, requestTrackingId,
                responseTrackingId, body.LongLength, detail, retryAfterSeconds);
            Log(attempt);
            return new AttemptResult(attempt, piece, body, fetchedAt, response.Headers.Date);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            attempt = Failed(ProviderStatus.NetworkError, DetailTimeout);
        }
        catch (HttpRequestException ex)
        {
            attempt = Failed(ProviderStatus.NetworkError, ErrorDetails.ForNetwork(ex));
        }
        catch (IOException ex)
        {
            attempt = Failed(ProviderStatus.NetworkError, ErrorDetails.ForIo(ex));
        }
        catch (InvalidDataException)
        {
            // A gzip stream that does not decompress: a body we cannot read, like malformed JSON.
            attempt = Failed(ProviderStatus.ParseError, "invalid_content_encoding");
        }
        Log(attempt);
        return new AttemptResult(attempt, null, null, time.GetUtcNow(), null);
    }

    private static (string Status, FlowPiece? Piece, string? Detail) Classify(int httpStatus, byte[] body, string trackingId, KeyRedactor redactor)
    {
        if (httpStatus is >= 200 and < 300)
        {
            var parsed = TomTomFlowParser.Parse(body, trackingId);
            return parsed.IsOk
                ? (ProviderStatus.Ok, parsed.Piece, null)
                : (ProviderStatus.ParseError, null, redactor.Redact(parsed.Error));
        }

        var error = TomTomError.TryRead(body);
        var code = ErrorDetails.SafeProviderCode(error?.Code, redactor.Contains) ?? "http_" + httpStatus.ToString(CultureInfo.InvariantCulture);
        return httpStatus switch
        {
            400 when error is not null && (IsNoCoverage(error.Message) || IsNoCoverage(error.Error)) =>
                (ProviderStatus.NoCoverage, null, DetailNoCoverage),
            401 or 403 => (ProviderStatus.AuthError, null, code),
            429 => (ProviderStatus.RateLimited, null, code),
            // 5xx includes TomTom's 596 ("service not found / backend down" from its gateway).
            _ => (ProviderStatus.HttpError, null, httpStatus >= 500 ? "http_" + httpStatus.ToString(CultureInfo.InvariantCulture) : code),
        };
    }

    private static bool IsNoCoverage(string? text) =>
        text is not null && string.Equals(text.Trim(), NoCoverageMessage, StringComparison.Ordinal);

    private static double? RetryAfterSeconds(HttpResponseMessage response, DateTimeOffset now)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta) return Math.Max(0, delta.TotalSeconds);
        if (retryAfter?.Date is { } date) return Math.Max(0, (date - now).TotalSeconds);
        return null;
    }

    private void Log(ProviderAttempt a)
    {
        if (a.Status == ProviderStatus.Ok)
        {
            logger.LogDebug("TomTom attempt {Attempt} {Status} HTTP {HttpStatus} in {ElapsedMs:0} ms, tracking {TrackingId}, {Url}",
                a.Number, a.Status, a.HttpStatus, a.ElapsedMs, a.ResponseTrackingId ?? a.RequestTrackingId, a.RedactedUrl);
        }
        else
        {
            logger.LogWarning("TomTom attempt {Attempt} {Status} ({Detail}) HTTP {HttpStatus} in {ElapsedMs:0} ms, tracking {TrackingId}, {Url}",
                a.Number, a.Status, a.ErrorDetail, a.HttpStatus, a.ElapsedMs, a.ResponseTrackingId ?? a.RequestTrackingId, a.RedactedUrl);
        }
    }

    /// <summary>TomTom's error body: <c>{"error":…,"httpStatusCode":…,"detailedError":{"code":…,"message":…}}</c>.</summary>
    private sealed record TomTomError(string? Error, int? HttpStatusCode, string? Code, string? Message)
    {
        public static TomTomError? TryRead(byte[] body)
        {
            if (body.Length == 0) return null;
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return null;
                string? error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                int? status = root.TryGetProperty("httpStatusCode", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var n) ? n : null;
                string? code = null, message = null;
                if (root.TryGetProperty("detailedError", out var d) && d.ValueKind == JsonValueKind.Object)
                {
                    code = d.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                    message = d.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                }
                return new TomTomError(error, status, code, message);
            }
            catch (JsonException)
            {
                return null; // not TomTom's JSON error shape (e.g. an HTML gateway page): classified by status alone
            }
        }
    }

    /// <summary>
    /// Removes the key from anything derived from a response before it is stored or logged: TomTom (and gateways in
    /// front of it) may echo the request URL in an error body or header. Covers the key as sent (URL-escaped), raw,
    /// and JSON-escaped.
    /// </summary>
    internal sealed class KeyRedactor
    {
        private static readonly byte[] Mask = Encoding.UTF8.GetBytes(Redacted);
        private readonly string[] _forms;
        private readonly byte[][] _byteForms;

        public KeyRedactor(string key)
        {
            _forms = new[] { key, Uri.EscapeDataString(key), JsonEncodedText.Encode(key).ToString() }
                .Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length).ToArray();
            _byteForms = _forms.Select(Encoding.UTF8.GetBytes).ToArray();
        }

        public bool Contains(string text) => _forms.Any(f => text.Contains(f, StringComparison.Ordinal));

        public string? Redact(string? text)
        {
            if (text is null) return null;
            foreach (var f in _forms) text = text.Replace(f, Redacted, StringComparison.Ordinal);
            return text;
        }

        public byte[] Redact(byte[] body)
        {
            foreach (var form in _byteForms)
            {
                if (body.AsSpan().IndexOf(form) < 0) continue;
                var output = new List<byte>(body.Length);
                var rest = body.AsSpan();
                int at;
                while ((at = rest.IndexOf(form)) >= 0)
                {
                    output.AddRange(rest[..at]);
                    output.AddRange(Mask);
                    rest = rest[(at + form.Length)..];
                }
                output.AddRange(rest);
                body = output.ToArray();
            }
            return body;
        }
    }
}
