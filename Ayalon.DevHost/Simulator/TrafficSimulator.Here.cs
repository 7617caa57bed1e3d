using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;

namespace Ayalon.DevHost.Simulator;

/// <summary>The HERE surface: <c>GET /v7/flow</c> and <c>POST /oauth2/token</c>.</summary>
public sealed partial class TrafficSimulator
{
    /// <summary>HERE's limit on each side of a <c>bbox:</c> filter, in degrees.</summary>
    public const double HereMaxBboxSideDeg = 1.0;

    private static readonly HashSet<string> LocationReferencings = new(StringComparer.Ordinal) { "shape", "olr", "tmc", "none" };

    private Task HandleHereFlowAsync(HttpContext context)
    {
        var request = context.Request;
        var bearer = BearerToken(request);
        var apiKey = request.Query["apiKey"].ToString();
        var exchange = new Exchange(context, SimulatorSurface.HereFlow, bearer is not null || !string.IsNullOrWhiteSpace(apiKey), _options.TimeProvider.GetUtcNow());
        return HandleAsync(exchange, ct => AnswerHereAsync(exchange, bearer, apiKey, ct));
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }

    /// <summary>Authentication first (HERE's gateway answers 401 before anything else), then a fault, then the answer.</summary>
    private async Task<Answer> AnswerHereAsync(Exchange exchange, string? bearer, string apiKey, CancellationToken ct)
    {
        var request = exchange.Context.Request;
        if (bearer is not null)
        {
            if (!_oauth.IsValid(bearer, out var expired))
            {
                return new Answer(401, HereBodies.GatewayError("Unauthorized", expired ? HereBodies.ExpiredTokenDescription : HereBodies.InvalidTokenDescription),
                    expired ? "unauthorized:expired_token" : "unauthorized:invalid_token");
            }
        }
        else if (string.IsNullOrWhiteSpace(apiKey))
        {
            return new Answer(401, HereBodies.GatewayError("Unauthorized", HereBodies.NoCredentialsDescription), "unauthorized:no_credentials");
        }
        else if (!string.IsNullOrEmpty(_options.HereApiKey) && !KeysEqual(apiKey, _options.HereApiKey))
        {
            return new Answer(401, HereBodies.GatewayError("Unauthorized", HereBodies.InvalidApiKeyDescription), "unauthorized:wrong_key");
        }

        var fault = await TakeFaultAsync(ct).ConfigureAwait(false);
        var faultOutcome = FaultOutcome(fault);
        var id = exchange.CorrelationId;

        // The E6050xx codes are the simulator's own, in the format of HERE's service error codes.
        switch (fault.Kind)
        {
            case FaultKind.NoCoverage or FaultKind.EmptyResults:
                // HERE has no "not covered" error: an area without flow is a valid, empty answer.
                return new Answer(200, HereBodies.Empty.ToArray(), faultOutcome);
            case FaultKind.Forbidden:
                return new Answer(401, HereBodies.GatewayError("Unauthorized", HereBodies.InvalidApiKeyDescription), faultOutcome);
            case FaultKind.RateLimited:
                return new Answer(429, HereBodies.GatewayError("Too Many Requests", "Rate limit for this service has been reached"),
                    faultOutcome, RetryAfterSeconds: fault.RetryAfterSeconds);
            case FaultKind.ServerError:
                return new Answer(500, HereBodies.ServiceError(500, "Internal Server Error", "E605001",
                    "An internal error occurred.", "Retry later.", id), faultOutcome);
            case FaultKind.Unavailable:
                return new Answer(503, HereBodies.ServiceError(503, "Service Unavailable", "E605003",
                    "The service is temporarily unavailable.", "Retry later.", id), faultOutcome);
            case FaultKind.TomTom596:
                return new Answer(502, HereBodies.ServiceError(502, "Bad Gateway", "E605002",
                    "The upstream service did not answer.", "Retry later.", id), faultOutcome);
            case FaultKind.EchoUrlError:
                var url = request.GetDisplayUrl();
                var echoStatus = fault.StatusCode ?? 400;
                return new Answer(echoStatus, HereBodies.ServiceError(echoStatus, "Invalid request: " + url, "E605400",
                    $"The request {url} could not be processed.", "Check the request.", id), faultOutcome);
            case FaultKind.Timeout:
                await HoldAsync(ct).ConfigureAwait(false);
                break;
        }

        return WithBodyFault(NormalHereAnswer(request, id), fault, HereBodies.Malformed, HereBodies.WithFault);
    }

    private Answer NormalHereAnswer(HttpRequest request, string correlationId)
    {
        Answer Invalid(string code, string cause, string action) =>
            new(400, HereBodies.ServiceError(400, "Malformed request", code, cause, action, correlationId), "bad_request");

        var area = request.Query["in"].ToString();
        if (area.Length == 0)
            return Invalid("E605101", "Missing required parameter 'in'.", "Add in=bbox:west,south,east,north.");
        if (!area.StartsWith("bbox:", StringComparison.Ordinal))
        {
            return area.StartsWith("circle:", StringComparison.Ordinal) || area.StartsWith("corridor:", StringComparison.Ordinal)
                ? Invalid("E605102", $"Parameter 'in': the simulator serves only bbox filters, not '{area.Split(':')[0]}'.", "Use in=bbox:west,south,east,north.")
                : Invalid("E605102", "Invalid value for parameter 'in': expected bbox:west,south,east,north.", "Use in=bbox:west,south,east,north (longitude first).");
        }
        var bbox = ParseBbox(area["bbox:".Length..], out var bboxProblem);
        if (bbox is null)
            return Invalid("E605103", $"Invalid value for parameter 'in': {bboxProblem}", "Use in=bbox:west,south,east,north (longitude first, each side at most 1 degree).");

        var referencing = request.Query["locationReferencing"].ToString();
        if (referencing.Length == 0)
            return Invalid("E605104", "Missing required parameter 'locationReferencing'.", "Add locationReferencing=shape (or olr, tmc, none).");
        var referencings = referencing.Split(',');
        if (referencings.Any(r => !LocationReferencings.Contains(r)) || (referencings.Contains("none") && referencings.Length > 1))
            return Invalid("E605105", $"Invalid value for parameter 'locationReferencing': '{referencing}'.", "Use shape, olr, tmc (comma separated) or none.");

        var classesText = request.Query["functionalClasses"].ToString();
        var functionalClasses = new HashSet<int> { 1, 2, 3, 4, 5 };
        if (classesText.Length > 0)
        {
            functionalClasses.Clear();
            foreach (var part in classesText.Split(','))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var fc) || fc is < 1 or > 5)
                    return Invalid("E605106", $"Invalid value for parameter 'functionalClasses': '{classesText}'.", "Use functional classes 1 to 5, comma separated.");
                functionalClasses.Add(fc);
            }
        }

        if (_hereReplay is not null)
        {
            var recording = _hereReplay.For(bbox.Value);
            return recording is null
                ? new Answer(200, HereBodies.Empty.ToArray(), "replay:empty")
                : new Answer(recording.StatusCode, recording.Body, "replay:" + recording.Name, ContentType: recording.ContentType);
        }

        // Every link of the corridor is a motorway (functional class 1).
        var results = functionalClasses.Contains(1)
            ? HereNetwork.Results.Where(r => r.Extent.Intersects(bbox.Value)).ToList()
            : [];
        if (results.Count == 0) return new Answer(200, HereBodies.Empty.ToArray(), "empty");
        var now = _options.TimeProvider.GetUtcNow();
        var speeds = HereBodies.LiveSpeeds(HereNetwork, Pattern, now, _options.HereSpeedLimitKmh);
        var body = HereBodies.Flow(results, speeds, Pattern.StepStart(now), referencings.Contains("shape"), _options.HereConfidence, _options.HereSpeedLimitKmh);
        return new Answer(200, body, "ok");
    }

    /// <summary><c>west,south,east,north</c> in degrees (longitude first), each side at most <see cref="HereMaxBboxSideDeg"/>.</summary>
    internal static GeoBox? ParseBbox(string text, out string problem)
    {
        problem = "";
        var parts = text.Split(',');
        var values = new double[4];
        if (parts.Length != 4 ||
            !parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) && double.IsFinite(values[i])).All(ok => ok))
        {
            problem = "bbox needs four numbers west,south,east,north";
            return null;
        }
        var (west, south, east, north) = (values[0], values[1], values[2], values[3]);
        if (west is < -180 or > 180 || east is < -180 or > 180) problem = "longitudes must be within -180..180";
        else if (south is < -90 or > 90 || north is < -90 or > 90) problem = "latitudes must be within -90..90";
        else if (west >= east) problem = "west must be less than east";
        else if (south >= north) problem = "south must be less than north";
        else if (east - west > HereMaxBboxSideDeg || north - south > HereMaxBboxSideDeg) problem = "each side of the bbox must be at most 1 degree";
        return problem.Length == 0 ? new GeoBox(west, south, east, north) : null;
    }

    private async Task HandleHereTokenAsync(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        var exchange = new Exchange(context, SimulatorSurface.HereToken, authorization.Length > 0, _options.TimeProvider.GetUtcNow());
        await HandleAsync(exchange, async ct =>
        {
            var parameters = new List<KeyValuePair<string, string>>();
            foreach (var (name, values) in request.Query)
            {
                foreach (var value in values) parameters.Add(new(name, value ?? ""));
            }
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(ct).ConfigureAwait(false);
                foreach (var (name, values) in form)
                {
                    foreach (var value in values) parameters.Add(new(name, value ?? ""));
                }
            }
            var decision = _oauth.Decide(request.Method, SignatureBaseUri(request), authorization.Length > 0 ? authorization : null, parameters);
            return decision.Issued
                ? new Answer(200, HereBodies.Token(decision.AccessToken!, _options.HereTokenExpiresInSeconds), decision.Outcome)
                : new Answer(decision.Status, HereBodies.TokenError(decision.Status, decision.ErrorCode!.Value, decision.Message!, decision.OAuthError!), decision.Outcome);
        }).ConfigureAwait(false);
    }

    /// <summary>RFC 5849 §3.4.1.2: scheme and host in lower case, the port only when not the scheme's default, the path.</summary>
    private static string SignatureBaseUri(HttpRequest request)
    {
        var scheme = request.Scheme.ToLowerInvariant();
        var host = request.Host.Host.ToLowerInvariant();
        var port = request.Host.Port;
        var defaultPort = scheme == "https" ? 443 : 80;
        var authority = port is null || port == defaultPort ? host : string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
        return $"{scheme}://{authority}{request.PathBase}{request.Path}";
    }
}
