using System.Globalization;
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

    /// <summary>See <see cref="TomTomStatusClassifier.NoCoverageMessage"/>.</summary>
    public const string NoCoverageMessage = TomTomStatusClassifier.NoCoverageMessage;

    public const string DetailTimeout = ErrorDetails.Timeout;
    public const string DetailConnectionRefused = ErrorDetails.ConnectionRefused;
    public const string DetailNoCoverage = TomTomStatusClassifier.DetailNoCoverage;


    public string Name => TomTomFlowParser.ProviderName;

    /// <summary>
    /// False while the key source knows no key is usable. A Key Vault source whose last read failed says so until a
    /// read succeeds, but lets a request through once a retry is due: the read happens then, and an answer
    /// without a key is still <c>not_configured</c> with nothing sent.
    /// </summary>
    public bool IsConfigured => keySource.MissingKeyReason is null || keySource.RetryDue;

    /// <summary>
    /// TomTom's plan: one request per section midpoint, in corridor order, skipping sections an earlier answer of this
    /// fetch already covers (one motorway segment often spans several sections). Each request and its one retry are
    /// reserved in the budget first. Stops at the first status after which asking again only burns quota, and after
    /// a request that failed on a 5xx, timeout or network error together with its retry.
    /// </summary>
    public async Task<ProviderFetch> FetchAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        var answers = new List<ProviderAnswer>();
        var pieces = new List<FlowPiece>();
        var pending = new List<CorridorSection>(request.Sections);
        string? stop = null, lastFailure = null, detail = null;
        while (pending.Count > 0)
        {
            var section = pending[0];
            pending.RemoveAt(0);
            var reservation = await request.Budget.TryReserveAsync(cancellationToken).ConfigureAwait(false);
            if (!reservation.Granted)
            {
                stop = reservation.DenialStatus ?? ProviderStatus.QuotaExhausted;
                detail = reservation.Detail;
                break;
            }

            var answer = await GetFlowAsync(section.Midpoint,
                async (_, ct) => (await request.Budget.TryReserveAsync(ct).ConfigureAwait(false)).Granted,
                cancellationToken).ConfigureAwait(false) with { Target = section.Id };
            answers.Add(answer);
            if (answer.Status == ProviderStatus.Ok)
            {
                pieces.AddRange(answer.Pieces);
                var covered = request.CoveredSectionIds(pieces);
                pending.RemoveAll(s => covered.Contains(s.Id));
                continue;
            }
            lastFailure = answer.Status;
            detail = answer.Detail;
            // A 5xx, timeout or network error that outlived its retry: the provider is down for now, and asking the
            // other midpoints would cost two requests each for the same answer (an outage once cost 12 per cycle).
            if (ProviderStatus.EndsProviderTurn(answer))
            {
                stop = answer.Status;
                break;
            }
        }
        return new ProviderFetch(Name, stop ?? lastFailure ?? ProviderStatus.Ok, answers, detail);
    }

    public async Task<ProviderAnswer> GetFlowAsync(GeoPoint point, ReserveExtraAttempt? reserveExtraAttempt, CancellationToken cancellationToken)
    {
        var o = options.CurrentValue;
        var pathAndQuery = string.Format(CultureInfo.InvariantCulture, FlowPath, o.Zoom) +
                           FormattableString.Invariant($"?point={point.LatitudeDeg:0.######},{point.LongitudeDeg:0.######}&unit=KMPH&openLr=false&key=");
        var baseUrl = o.BaseUrl.TrimEnd('/');
        var redactedUrl = baseUrl + pathAndQuery + SecretRedactor.Mask;

        var key = await keySource.GetKeyAsync(cancellationToken).ConfigureAwait(false);
        if (CredentialRules.ProblemOf(key) is { } problem)
        {
            var reason = key is null ? keySource.MissingKeyReason ?? problem : problem;
            logger.LogWarning("TomTom not configured ({Reason}); no request sent", reason);
            return new ProviderAnswer(Name, ProviderStatus.NotConfigured, [], [], null, time.GetUtcNow(), null, reason);
        }

        var url = new Uri(baseUrl + pathAndQuery + Uri.EscapeDataString(key!));
        var redactor = new SecretRedactor([key!]);
        var attempts = new List<ProviderAttempt>(2);

        var result = await SendOnceAsync(1, url, redactedUrl, redactor, o, cancellationToken).ConfigureAwait(false);
        attempts.Add(result.Attempt);
        if (ProviderStatus.IsWorthRetrying(result.Attempt) && reserveExtraAttempt is not null &&
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
        return new ProviderAnswer(Name, final.Status, result.Piece is { } piece ? [piece] : [], attempts, result.Body, result.FetchedAtUtc,
            result.ResponseDateUtc, final.ErrorDetail);
    }

    private sealed record AttemptResult(ProviderAttempt Attempt, FlowPiece? Piece, byte[]? Body, DateTimeOffset FetchedAtUtc, DateTimeOffset? ResponseDateUtc);

    private async Task<AttemptResult> SendOnceAsync(
        int number, Uri url, string redactedUrl, SecretRedactor redactor, TomTomOptions o, CancellationToken cancellationToken)
    {
        var requestTrackingId = Guid.NewGuid().ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation(TrackingIdHeader, requestTrackingId);
        var x = await ProviderHttp.SendAsync(http, request, TimeSpan.FromSeconds(o.TimeoutSeconds), redactor, time, cancellationToken).ConfigureAwait(false);

        ProviderAttempt attempt;
        if (x.FailureStatus is { } failure)
        {
            attempt = new ProviderAttempt(number, failure, null, redactedUrl, x.StartedAtUtc, x.ElapsedMs, requestTrackingId, null, 0, x.FailureDetail);
            Log(attempt);
            return new AttemptResult(attempt, null, null, x.FinishedAtUtc, null);
        }

        var responseTrackingId = x.Header(TrackingIdHeader, redactor);
        var (status, piece, detail) = Classify(x.HttpStatus!.Value, x.Body!, responseTrackingId ?? requestTrackingId, redactor);
        attempt = new ProviderAttempt(number, status, x.HttpStatus, redactedUrl, x.StartedAtUtc, x.ElapsedMs, requestTrackingId,
            responseTrackingId, x.Body!.LongLength, detail, x.RetryAfterSeconds);
        Log(attempt);
        return new AttemptResult(attempt, piece, x.Body, x.FinishedAtUtc, x.ResponseDateUtc);
    }

    private static (string Status, FlowPiece? Piece, string? Detail) Classify(int httpStatus, byte[] body, string trackingId, SecretRedactor redactor)
    {
        var c = TomTomStatusClassifier.Classify(httpStatus, body, trackingId, redactor.Contains);
        return (c.Status, c.Piece, c.Status == ProviderStatus.ParseError ? redactor.Redact(c.Detail) : c.Detail);
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
}
