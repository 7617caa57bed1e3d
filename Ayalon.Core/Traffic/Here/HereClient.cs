using System.Globalization;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Traffic.Here;

/// <summary>
/// Typed HttpClient for HERE Traffic API v7 flow:
/// <c>GET {Here:BaseUrl}/v7/flow?in=bbox:W,S,E,N&amp;locationReferencing=shape&amp;functionalClasses=1,2</c>, authenticated by
/// an <c>apiKey</c> query parameter or an OAuth bearer token (<see cref="IHereCredentials"/>). One request covers the
/// bounding box of the sections asked for (plus <see cref="HereOptions.BboxMarginMeters"/>), split into tiles only
/// where a side would pass HERE's 1° limit. Each request and its one retry (timeout, 5xx, network) are reserved in
/// the budget first. The HttpClient is registered without loggers: its default logging writes request URIs.
/// </summary>
public sealed class HereClient(
    HttpClient http,
    IOptionsMonitor<HereOptions> options,
    IHereCredentials credentials,
    ImpactSettings impact,
    TimeProvider time,
    ILogger<HereClient> logger) : ITrafficProvider
{
    public const string FlowPath = "/v7/flow";

    /// <summary>Our id for a request, echoed by HERE; its own id comes back as the correlation id.</summary>
    public const string RequestIdHeader = "X-Request-ID";
    public const string CorrelationIdHeader = "X-Correlation-Id";

    /// <summary>HERE refuses a bbox whose side is longer than one degree.</summary>
    public const double MaxBboxSideDeg = 1.0;

    public string Name => HereFlowParser.ProviderName;

    public bool IsConfigured => credentials.MissingReason is null || credentials.RetryDue;

    public async Task<ProviderFetch> FetchAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        if (request.Sections.Count == 0) return new ProviderFetch(Name, ProviderStatus.Ok, []);
        var o = options.CurrentValue;
        var auth = await credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var t in auth.TokenRequests)
        {
            logger.LogInformation("HERE token request {Status} HTTP {HttpStatus} in {ElapsedMs:0} ms, {Url}", t.Status, t.HttpStatus, t.ElapsedMs, t.RedactedUrl);
        }
        if (!auth.IsUsable)
        {
            var status = auth.FailureStatus ?? ProviderStatus.NotConfigured;
            logger.LogWarning("HERE credentials not usable ({Status}: {Detail}); no flow request sent", status, auth.FailureDetail);
            return ProviderFetch.Nothing(Name, status, auth.FailureDetail);
        }

        var redactor = new SecretRedactor(credentials.SecretsToRedact.Concat(new[] { auth.ApiKey, auth.BearerToken }.OfType<string>()));
        var answers = new List<ProviderAnswer>();
        foreach (var bbox in Tiles(Bounds(request.Sections, o.BboxMarginMeters)))
        {
            var reservation = await request.Budget.TryReserveAsync(cancellationToken).ConfigureAwait(false);
            if (!reservation.Granted)
            {
                return new ProviderFetch(Name, reservation.DenialStatus ?? ProviderStatus.QuotaExhausted, answers, reservation.Detail);
            }
            var answer = await GetBboxAsync(bbox, auth, redactor, o, request.Budget, cancellationToken).ConfigureAwait(false);
            answers.Add(answer);
            if (answer.Status == ProviderStatus.AuthError) credentials.Invalidate(); // rotated key or revoked token: read afresh next time
            if (answer.Status != ProviderStatus.Ok) return new ProviderFetch(Name, answer.Status, answers, answer.Detail);
        }
        return new ProviderFetch(Name, ProviderStatus.Ok, answers);
    }

    private async Task<ProviderAnswer> GetBboxAsync(
        Bbox bbox, HereAuth auth, SecretRedactor redactor, HereOptions o, IRequestBudget budget, CancellationToken cancellationToken)
    {
        var query = "?in=bbox:" + bbox + "&locationReferencing=shape" +
                    (string.IsNullOrWhiteSpace(o.FunctionalClasses) ? "" : "&functionalClasses=" + Uri.EscapeDataString(o.FunctionalClasses.Replace(" ", "", StringComparison.Ordinal)));
        var baseUrl = o.BaseUrl.TrimEnd('/') + FlowPath + query;
        // OAuth keeps every secret out of the URL; the key form sends it as HERE documents (apiKey query parameter).
        var url = new Uri(auth.BearerToken is null ? baseUrl + "&apiKey=" + Uri.EscapeDataString(auth.ApiKey!) : baseUrl);
        var redactedUrl = auth.BearerToken is null ? baseUrl + "&apiKey=" + SecretRedactor.Mask : baseUrl;

        var attempts = new List<ProviderAttempt>(2);
        var result = await SendOnceAsync(1, url, redactedUrl, auth, redactor, o, cancellationToken).ConfigureAwait(false);
        attempts.Add(result.Attempt);
        if (ProviderStatus.IsWorthRetrying(result.Attempt) &&
            (await budget.TryReserveAsync(cancellationToken).ConfigureAwait(false)).Granted)
        {
            if (o.RetryDelayMilliseconds > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(o.RetryDelayMilliseconds), time, cancellationToken).ConfigureAwait(false);
            }
            result = await SendOnceAsync(2, url, redactedUrl, auth, redactor, o, cancellationToken).ConfigureAwait(false);
            attempts.Add(result.Attempt);
        }
        var final = result.Attempt;
        return new ProviderAnswer(Name, final.Status, result.Pieces, attempts, result.Body, result.FetchedAtUtc, result.ResponseDateUtc,
            final.ErrorDetail, "bbox:" + bbox, result.DroppedLowConfidence);
    }

    private sealed record AttemptResult(
        ProviderAttempt Attempt, IReadOnlyList<FlowPiece> Pieces, int DroppedLowConfidence, byte[]? Body, DateTimeOffset FetchedAtUtc, DateTimeOffset? ResponseDateUtc);

    private async Task<AttemptResult> SendOnceAsync(
        int number, Uri url, string redactedUrl, HereAuth auth, SecretRedactor redactor, HereOptions o, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid().ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation(RequestIdHeader, requestId);
        if (auth.BearerToken is { } token) request.Headers.Authorization = new("Bearer", token);
        var x = await ProviderHttp.SendAsync(http, request, TimeSpan.FromSeconds(o.TimeoutSeconds), redactor, time, cancellationToken).ConfigureAwait(false);

        ProviderAttempt attempt;
        if (x.FailureStatus is { } failure)
        {
            attempt = new ProviderAttempt(number, failure, null, redactedUrl, x.StartedAtUtc, x.ElapsedMs, requestId, null, 0, x.FailureDetail);
            Log(attempt);
            return new AttemptResult(attempt, [], 0, null, x.FinishedAtUtc, null);
        }

        var headerCorrelation = x.Header(CorrelationIdHeader, redactor);
        var c = HereStatusClassifier.Classify(x.HttpStatus!.Value, x.Body!, headerCorrelation ?? requestId, impact.Constants.ConfidenceFloor);
        var responseTrackingId = headerCorrelation ?? redactor.Redact(c.CorrelationId);
        var detail = c.Status == ProviderStatus.Ok ? null : redactor.Redact(c.Detail);
        attempt = new ProviderAttempt(number, c.Status, x.HttpStatus, redactedUrl, x.StartedAtUtc, x.ElapsedMs, requestId,
            responseTrackingId, x.Body!.LongLength, detail, x.RetryAfterSeconds);
        Log(attempt);
        var parsed = c.Parsed;
        return new AttemptResult(attempt, c.Status == ProviderStatus.Ok && parsed is not null ? parsed.Pieces : [], parsed?.DroppedLowConfidence ?? 0,
            x.Body, x.FinishedAtUtc, x.ResponseDateUtc);
    }

    private void Log(ProviderAttempt a)
    {
        if (a.Status == ProviderStatus.Ok)
        {
            logger.LogDebug("HERE attempt {Attempt} {Status} HTTP {HttpStatus} in {ElapsedMs:0} ms, {ResponseBytes} bytes, tracking {TrackingId}, {Url}",
                a.Number, a.Status, a.HttpStatus, a.ElapsedMs, a.ResponseBytes, a.ResponseTrackingId ?? a.RequestTrackingId, a.RedactedUrl);
        }
        else
        {
            logger.LogWarning("HERE attempt {Attempt} {Status} ({Detail}) HTTP {HttpStatus} in {ElapsedMs:0} ms, tracking {TrackingId}, {Url}",
                a.Number, a.Status, a.ErrorDetail, a.HttpStatus, a.ElapsedMs, a.ResponseTrackingId ?? a.RequestTrackingId, a.RedactedUrl);
        }
    }

    /// <summary>A bounding box in degrees; printed as HERE wants it, longitude first: <c>W,S,E,N</c>.</summary>
    public readonly record struct Bbox(double WestDeg, double SouthDeg, double EastDeg, double NorthDeg)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{WestDeg:0.######},{SouthDeg:0.######},{EastDeg:0.######},{NorthDeg:0.######}");
    }

    /// <summary>The sections' extent plus <paramref name="marginMeters"/> on every side.</summary>
    public static Bbox Bounds(IEnumerable<CorridorSection> sections, double marginMeters)
    {
        var points = sections.SelectMany(s => s.Geometry).ToList();
        var south = points.Min(p => p.LatitudeDeg);
        var north = points.Max(p => p.LatitudeDeg);
        var dLat = Geo.ToDegrees(marginMeters / Geo.EarthRadiusMeters);
        var dLon = dLat / Math.Cos(Geo.ToRadians(Math.Max(Math.Abs(south), Math.Abs(north))));
        return new Bbox(points.Min(p => p.LongitudeDeg) - dLon, south - dLat, points.Max(p => p.LongitudeDeg) + dLon, north + dLat);
    }

    /// <summary>The box itself when both sides are within HERE's limit, else a grid of equal tiles that are.</summary>
    public static IReadOnlyList<Bbox> Tiles(Bbox box)
    {
        var columns = Math.Max(1, (int)Math.Ceiling((box.EastDeg - box.WestDeg) / MaxBboxSideDeg));
        var rows = Math.Max(1, (int)Math.Ceiling((box.NorthDeg - box.SouthDeg) / MaxBboxSideDeg));
        var width = (box.EastDeg - box.WestDeg) / columns;
        var height = (box.NorthDeg - box.SouthDeg) / rows;
        var tiles = new List<Bbox>(columns * rows);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                tiles.Add(new Bbox(box.WestDeg + c * width, box.SouthDeg + r * height, box.WestDeg + (c + 1) * width, box.SouthDeg + (r + 1) * height));
            }
        }
        return tiles;
    }
}
