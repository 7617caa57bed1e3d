using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ayalon.Core.Configuration;
using Ayalon.Core.Corridor;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;

namespace Ayalon.DevHost.Simulator;

/// <summary>
/// What <c>GET /_simulator/state</c> answers. <see cref="Mode"/>/<see cref="ReplaySet"/> are the TomTom surface's,
/// <see cref="HereMode"/>/<see cref="HereReplaySet"/> the HERE surface's. <see cref="RequestCount"/> counts every
/// traffic request (both surfaces and unknown paths), <see cref="TokenRequestCount"/> the token endpoint's apart.
/// </summary>
public sealed record SimulatorState(
    string Mode,
    string? ReplaySet,
    string HereMode,
    string? HereReplaySet,
    int Seed,
    bool RequiredKeySet,
    bool HereApiKeySet,
    bool HereOAuthConfigured,
    SimulatorFault Fault,
    int RequestCount,
    int TomTomRequestCount,
    int HereFlowRequestCount,
    int TokenRequestCount,
    DateTimeOffset NowUtc,
    string BaseUrl);

/// <summary>
/// A traffic provider look-alike on loopback, for the local run and the tests: one Kestrel app, one port, one fault
/// switch and one request log serving
/// <list type="bullet">
/// <item>TomTom Traffic Flow Segment Data v4:
/// <c>GET /traffic/services/4/flowSegmentData/{style}/{zoom}/json?point=lat,lon&amp;unit=KMPH&amp;key=…</c>. Live mode
/// answers with the whole carriageway of the nearest corridor direction (all three sections of it in one answer);
/// replay mode serves the recorded answers in fixtures/tomtom/.</item>
/// <item>HERE Traffic API v7: <c>GET /v7/flow?in=bbox:W,S,E,N&amp;locationReferencing=shape&amp;apiKey=…</c> (or
/// <c>Authorization: Bearer …</c>). Live mode answers with both carriageways cut into results, shape links and
/// subSegments (see <see cref="HereRoadNetwork"/>); replay mode serves a folder of HERE answers (fixtures/here/).
/// </item>
/// <item>HERE's OAuth 2.0 token endpoint: <c>POST /oauth2/token</c>, OAuth 1.0 HMAC-SHA256 signed (see <see cref="HereOAuth"/>).</item>
/// </list>
/// Both traffic surfaces take their speeds from the same deterministic diurnal pattern: the same seed and time give
/// the same traffic whichever provider a client asks. Faults are switched at run time in C# (<see cref="Faults"/>) or
/// over HTTP (<c>POST/DELETE /_simulator/faults</c>, <c>GET /_simulator/state</c>, <c>GET /_simulator/requests</c>).
/// The simulator has no logging providers and keeps no credential values: it cannot leak a key it was sent.
/// </summary>
public sealed partial class TrafficSimulator : IAsyncDisposable
{
    public const string FlowRoute = "/traffic/services/4/flowSegmentData/{style}/{zoom}/json";
    public const string HereFlowRoute = "/v7/flow";
    public const string HereTokenRoute = "/oauth2/token";
    public const string ControlPrefix = "/_simulator";

    private static readonly HashSet<string> Styles = new(StringComparer.Ordinal)
    {
        "absolute", "relative", "relative0", "relative0-dark", "relative-delay", "reduced-sensitivity",
    };

    internal static readonly JsonSerializerOptions ControlJson = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    private readonly WebApplication _app;
    private readonly SimulatorOptions _options;
    private readonly ReplayLibrary? _replay;
    private readonly HereReplayLibrary? _hereReplay;
    private readonly HereOAuth _oauth;
    private readonly SimulatorRequestLog _log;
    private int _requestCount;
    private int _tomTomRequestCount;
    private int _hereFlowRequestCount;
    private int _tokenRequestCount;
    private int _disposed;

    private TrafficSimulator(WebApplication app, SimulatorOptions options, CorridorDefinition corridor, ReplayLibrary? replay, HereReplayLibrary? hereReplay)
    {
        _app = app;
        _options = options;
        _replay = replay;
        _hereReplay = hereReplay;
        _oauth = new HereOAuth(options);
        Carriageways = new CarriagewayIndex(corridor);
        HereNetwork = new HereRoadNetwork(corridor, Carriageways);
        Pattern = new DiurnalTrafficPattern(options.Seed, options.PatternStepMinutes);
        _log = new SimulatorRequestLog(options.RequestLogCapacity);
    }

    /// <summary>Where the simulator listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>
    /// Every traffic request received — TomTom, HERE <c>/v7/flow</c> and unknown paths, whatever the answer — but not
    /// the token endpoint's (<see cref="TokenRequestCount"/>) nor the <c>/_simulator</c> control routes.
    /// </summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Requests under <c>/traffic/</c> (TomTom's API).</summary>
    public int TomTomRequestCount => Volatile.Read(ref _tomTomRequestCount);

    /// <summary>Requests under <c>/v7/</c> (HERE's traffic API).</summary>
    public int HereFlowRequestCount => Volatile.Read(ref _hereFlowRequestCount);

    /// <summary>Requests to HERE's OAuth token endpoint, whatever their answer.</summary>
    public int TokenRequestCount => Volatile.Read(ref _tokenRequestCount);

    /// <summary>The TomTom surface's mode.</summary>
    public SimulatorMode Mode => _options.Mode;

    public string? ReplaySet => _replay?.Set;

    /// <summary>The HERE surface's mode.</summary>
    public SimulatorMode HereMode => _options.HereMode;

    public string? HereReplaySet => _hereReplay?.Set;

    /// <summary>Where HERE's OAuth token endpoint listens, e.g. <c>http://127.0.0.1:41234/oauth2/token</c>.</summary>
    public Uri HereTokenUrl => new(BaseUrl, HereTokenRoute.TrimStart('/'));

    /// <summary>The corridor cut the way the HERE surface reports it.</summary>
    public HereRoadNetwork HereNetwork { get; }

    public int Seed => _options.Seed;

    /// <summary>The run-time fault switch (also reachable over HTTP).</summary>
    public SimulatorFaults Faults { get; } = new();

    public CarriagewayIndex Carriageways { get; }

    public DiurnalTrafficPattern Pattern { get; }

    /// <summary>The most recent requests, oldest first (no key values, only whether a key was present).</summary>
    public IReadOnlyList<SimulatorRequestRecord> RecentRequests => _log.Snapshot();

    /// <summary>Raised after each API request (either surface or the token endpoint) is answered or abandoned; the standalone command prints it.</summary>
    public event Action<SimulatorRequestRecord>? RequestCompleted;

    public SimulatorState State => new(
        Mode == SimulatorMode.Replay ? "replay" : "live",
        ReplaySet,
        HereMode == SimulatorMode.Replay ? "replay" : "live",
        HereReplaySet,
        Seed,
        !string.IsNullOrEmpty(_options.RequiredKey),
        !string.IsNullOrEmpty(_options.HereApiKey),
        !string.IsNullOrEmpty(_options.HereAccessKeyId) && !string.IsNullOrEmpty(_options.HereAccessKeySecret),
        Faults.Current,
        RequestCount,
        TomTomRequestCount,
        HereFlowRequestCount,
        TokenRequestCount,
        _options.TimeProvider.GetUtcNow(),
        BaseUrl.ToString());

    public static async Task<TrafficSimulator> StartAsync(SimulatorOptions options, CorridorDefinition corridor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corridor);
        // The options' own rules (the DevHost has already checked them under their settings' names).
        var check = new AnnotatedSettingsValidator<SimulatorOptions>(nameof(SimulatorOptions)).Validate(Options.DefaultName, options);
        if (check.Failed) throw new ArgumentException(check.FailureMessage, nameof(options));

        var replay = options.Mode == SimulatorMode.Replay
            ? ReplayLibrary.Load(options.ResolvedReplayDirectory, options.ReplaySet!.Trim())
            : null;
        var hereReplay = options.HereMode == SimulatorMode.Replay
            ? HereReplayLibrary.Load(options.ResolvedHereReplayDirectory, options.HereReplaySet!.Trim())
            : null;
        SimulatorFault? initialFault = SimulatorFault.TryParseKind(options.Fault, out var kind) ? new SimulatorFault(kind) : null;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(TrafficSimulator).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // The simulator is not configured by the host's files or environment (a Kestrel section there would rebind
        // it), and it logs nothing: Kestrel and hosting logs could otherwise carry request URLs with the key.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{options.Port}"));
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

        var app = builder.Build();
        var simulator = new TrafficSimulator(app, options, corridor, replay, hereReplay);
        if (initialFault is not null) simulator.Faults.Set(initialFault);
        simulator.Map(app);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                      ?? app.Urls.First();
        simulator.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return simulator;
    }

    private void Map(WebApplication app)
    {
        app.Use((context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments(ControlPrefix, StringComparison.OrdinalIgnoreCase)) return next(context);
            if (path.StartsWithSegments(HereTokenRoute, StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref _tokenRequestCount);
                return next(context);
            }
            Interlocked.Increment(ref _requestCount);
            if (path.StartsWithSegments("/v7", StringComparison.OrdinalIgnoreCase)) Interlocked.Increment(ref _hereFlowRequestCount);
            else if (path.StartsWithSegments("/traffic", StringComparison.OrdinalIgnoreCase)) Interlocked.Increment(ref _tomTomRequestCount);
            return next(context);
        });

        app.MapGet(FlowRoute, (HttpContext context, string style, string zoom) => HandleFlowAsync(context, style, zoom));
        app.MapGet(HereFlowRoute, HandleHereFlowAsync);
        app.MapPost(HereTokenRoute, HandleHereTokenAsync);

        app.MapGet(ControlPrefix + "/state", () => Results.Json(State, ControlJson));
        app.MapGet(ControlPrefix + "/requests", () => Results.Json(new { requests = RecentRequests }, ControlJson));
        app.MapDelete(ControlPrefix + "/faults", () =>
        {
            Faults.Clear();
            return Results.Json(State, ControlJson);
        });
        app.MapPost(ControlPrefix + "/faults", async (HttpContext context) =>
        {
            var (fault, problem) = await ReadFaultAsync(context).ConfigureAwait(false);
            if (fault is null) return Results.Json(new { error = "invalid_input", message = problem }, ControlJson, statusCode: 400);
            Faults.Set(fault);
            return Results.Json(State, ControlJson);
        });
    }

    private sealed record FaultRequest(string? Kind, int? Count, int? LatencyMs, int? RetryAfterSeconds, int? StatusCode);

    private static async Task<(SimulatorFault? Fault, string? Problem)> ReadFaultAsync(HttpContext context)
    {
        FaultRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<FaultRequest>(context.Request.Body, ControlJson, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return (null, "body must be JSON: {\"kind\": \"...\", \"count\"?: n, \"latencyMs\"?: n, \"retryAfterSeconds\"?: n, \"statusCode\"?: n}");
        }
        if (request is null) return (null, "body must be a JSON object");
        var kind = FaultKind.None;
        if (request.Kind is not null && !SimulatorFault.TryParseKind(request.Kind, out kind))
            return (null, $"unknown kind '{request.Kind}'; known: {SimulatorFault.AllWireNames}");
        var fault = new SimulatorFault(kind, request.Count, request.LatencyMs ?? 0, request.RetryAfterSeconds ?? 1, request.StatusCode);
        var problem = fault.Validate();
        return problem is null ? (fault, null) : (null, problem);
    }

    /// <summary>Per-request facts for the log, filled as the answer is decided.</summary>
    private sealed class Exchange(HttpContext context, string surface, bool keyPresent, DateTimeOffset receivedAtUtc)
    {
        public HttpContext Context { get; } = context;
        public string Surface { get; } = surface;
        public bool KeyPresent { get; } = keyPresent;
        public DateTimeOffset ReceivedAtUtc { get; } = receivedAtUtc;
        public long Started { get; } = Stopwatch.GetTimestamp();

        /// <summary>HERE's per-request id: its <c>X-Correlation-Id</c> header, and <c>correlationId</c> in its error bodies.</summary>
        public string CorrelationId { get; } = Guid.NewGuid().ToString("D");

        public bool Recorded { get; set; }
    }

    private Task HandleFlowAsync(HttpContext context, string style, string zoom)
    {
        var key = context.Request.Query["key"].ToString();
        var exchange = new Exchange(context, SimulatorSurface.TomTom, !string.IsNullOrWhiteSpace(key), _options.TimeProvider.GetUtcNow());
        return HandleAsync(exchange, ct => AnswerAsync(exchange, style, zoom, key, ct));
    }

    /// <summary>Decides, records and sends one answer; a client that gives up (or a stopping simulator) ends it as "aborted".</summary>
    private async Task HandleAsync(Exchange exchange, Func<CancellationToken, Task<Answer>> decide)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(exchange.Context.RequestAborted, _app.Lifetime.ApplicationStopping);
        try
        {
            var answer = await decide(abort.Token).ConfigureAwait(false);
            await SendAsync(exchange, answer, abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // The client gave up (or the simulator is stopping): nothing more to send.
        }
        finally
        {
            if (!exchange.Recorded) Record(exchange, null, "aborted");
        }
    }

    private void Record(Exchange exchange, int? status, string outcome)
    {
        exchange.Recorded = true;
        var request = exchange.Context.Request;
        string? point = null, area = null;
        int? zoom = null;
        if (exchange.Surface == SimulatorSurface.TomTom)
        {
            point = Clip(request.Query["point"].ToString(), 64);
            zoom = int.TryParse(request.RouteValues["zoom"] as string, NumberStyles.Integer, CultureInfo.InvariantCulture, out var z) ? z : null;
        }
        else if (exchange.Surface == SimulatorSurface.HereFlow)
        {
            area = Clip(request.Query["in"].ToString(), 100);
        }
        var record = new SimulatorRequestRecord(
            exchange.ReceivedAtUtc,
            exchange.Surface,
            request.Method,
            request.Path.Value ?? "",
            point,
            zoom,
            area,
            exchange.KeyPresent,
            status,
            outcome,
            Stopwatch.GetElapsedTime(exchange.Started).TotalMilliseconds);
        _log.Add(record);
        RequestCompleted?.Invoke(record);
    }

    private static string? Clip(string value, int length) => value.Length == 0 ? null : value[..Math.Min(value.Length, length)];

    /// <summary>Decides the answer (after any added latency or hang); the caller records and sends it.</summary>
    private async Task<Answer> AnswerAsync(Exchange exchange, string style, string zoom, string key, CancellationToken ct)
    {
        var request = exchange.Context.Request;

        // TomTom's gateway checks the key before anything else, so a keyless request never reaches a fault.
        if (!exchange.KeyPresent)
            return new Answer(403, TomTomBodies.Forbidden("You did not provide an API key."), "forbidden:no_key");
        if (!string.IsNullOrEmpty(_options.RequiredKey) && !KeysEqual(key, _options.RequiredKey))
            return new Answer(403, TomTomBodies.Forbidden(), "forbidden:wrong_key");

        var fault = await TakeFaultAsync(ct).ConfigureAwait(false);
        var faultOutcome = FaultOutcome(fault);

        switch (fault.Kind)
        {
            case FaultKind.NoCoverage or FaultKind.EmptyResults:
                // TomTom has no empty answer: an area without flow is its 400 "Point too far…".
                return new Answer(400, TomTomBodies.NoCoverage(), faultOutcome);
            case FaultKind.Forbidden:
                return new Answer(403, TomTomBodies.Forbidden(), faultOutcome);
            case FaultKind.RateLimited:
                return new Answer(429, TomTomBodies.Error(429, "Too Many Requests", "TOO_MANY_REQUESTS",
                    "You have exceeded the rate limit for this API key."), faultOutcome, RetryAfterSeconds: fault.RetryAfterSeconds);
            case FaultKind.ServerError:
                return new Answer(500, TomTomBodies.Error(500, "Internal Server Error", "INTERNAL_SERVER_ERROR",
                    "An internal error occurred."), faultOutcome);
            case FaultKind.Unavailable:
                return new Answer(503, TomTomBodies.Error(503, "Service Unavailable", "SERVICE_UNAVAILABLE",
                    "The service is temporarily unavailable."), faultOutcome);
            case FaultKind.TomTom596:
                return new Answer(596, TomTomBodies.Error(596, "Service not found", "SERVICE_NOT_FOUND", "Service not found."), faultOutcome);
            case FaultKind.EchoUrlError:
                var url = request.GetDisplayUrl();
                var echoStatus = fault.StatusCode ?? 400;
                return new Answer(echoStatus, TomTomBodies.Error(echoStatus, "Invalid request: " + url, "INVALID_REQUEST",
                    $"The request {url} could not be processed."), faultOutcome);
            case FaultKind.Timeout:
                await HoldAsync(ct).ConfigureAwait(false);
                break;
        }

        return WithBodyFault(NormalAnswer(request, style, zoom), fault, TomTomBodies.Malformed, TomTomBodies.WithFault);
    }

    private sealed record Answer(int Status, byte[] Body, string Outcome, string? TrackingId = null, string? ContentType = null, int? RetryAfterSeconds = null);

    /// <summary>The fault switched on for this request (counted down by one), after its added latency (real time, as a network's).</summary>
    private async Task<SimulatorFault> TakeFaultAsync(CancellationToken ct)
    {
        var fault = Faults.Take();
        if (fault.LatencyMs > 0) await Task.Delay(fault.LatencyMs, ct).ConfigureAwait(false);
        return fault;
    }

    private static string FaultOutcome(SimulatorFault fault) => "fault:" + SimulatorFault.WireName(fault.Kind);

    /// <summary>
    /// The <c>timeout</c> fault, on both surfaces: the request is held until the client aborts (the usual end) or the
    /// hang elapses (real time: the client's timeout is what is being tested); then a late but normal answer follows.
    /// </summary>
    private Task HoldAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromSeconds(_options.TimeoutHangSeconds), ct);

    /// <summary>
    /// The body faults, the same on both surfaces and applied only to a good answer (an error answer goes as it is):
    /// <c>malformed_json</c> replaces it with the surface's not-JSON text, <c>truncated_json</c> sends its first half
    /// (a complete HTTP response whose JSON never ends), and the data faults rewrite the surface's fields.
    /// </summary>
    private static Answer WithBodyFault(Answer answer, SimulatorFault fault, Func<byte[]> malformed, Func<byte[], FaultKind, byte[]> withDataFault)
    {
        if (answer.Status != 200 || fault.Kind is FaultKind.None or FaultKind.Timeout) return answer;
        var body = fault.Kind switch
        {
            FaultKind.MalformedJson => malformed(),
            FaultKind.TruncatedJson => answer.Body[..(answer.Body.Length / 2)],
            FaultKind.LowConfidence or FaultKind.RoadClosure => withDataFault(answer.Body, fault.Kind),
            _ => answer.Body,
        };
        return answer with { Body = body, Outcome = FaultOutcome(fault) };
    }

    private Answer NormalAnswer(HttpRequest request, string style, string zoomText)
    {
        if (!Styles.Contains(style))
            return new Answer(400, TomTomBodies.InvalidRequest($"style must be one of {string.Join(", ", Styles)}"), "bad_request");
        if (!int.TryParse(zoomText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var zoom) || zoom is < 0 or > 22)
            return new Answer(400, TomTomBodies.InvalidRequest("zoom must be an integer within 0..22"), "bad_request");
        var point = TomTomBodies.TryParsePoint(request.Query["point"].ToString());
        if (point is null)
            return new Answer(400, TomTomBodies.InvalidRequest("point must be 'latitude,longitude' in decimal degrees"), "bad_request");
        var unit = request.Query["unit"].ToString();
        if (unit.Length > 0 && unit is not ("KMPH" or "MPH"))
            return new Answer(400, TomTomBodies.InvalidRequest("unit must be KMPH or MPH"), "bad_request");

        if (_replay is not null)
        {
            var recording = _replay.Nearest(point.Value, _options.ReplayToleranceMeters);
            return recording is null
                ? new Answer(400, TomTomBodies.NoCoverage(), "no_coverage")
                : new Answer(recording.StatusCode, recording.Body, "replay:" + recording.Probe, recording.TrackingId, recording.ContentType);
        }

        var (section, distance) = Carriageways.Nearest(point.Value);
        if (distance > _options.CoverageRadiusMeters)
            return new Answer(400, TomTomBodies.NoCoverage(), "no_coverage");
        var road = Carriageways.InDirection(section.Direction);
        var speeds = Pattern.At(section.Direction, _options.TimeProvider.GetUtcNow());
        return new Answer(200, TomTomBodies.Flow(road, speeds, mph: unit == "MPH"), "ok");
    }

    /// <summary>
    /// Records the exchange, then sends the answer: recorded first, so whoever has read the answer finds it in
    /// the log and <see cref="RequestCompleted"/> has fired.
    /// </summary>
    private async Task SendAsync(Exchange exchange, Answer answer, CancellationToken ct)
    {
        Record(exchange, answer.Status, answer.Outcome);
        var response = exchange.Context.Response;
        response.StatusCode = answer.Status;
        response.ContentType = answer.ContentType ?? "application/json; charset=utf-8";
        if (exchange.Surface == SimulatorSurface.TomTom)
        {
            response.Headers["Tracking-ID"] = answer.TrackingId ?? TrackingIdFor(exchange.Context.Request);
        }
        else
        {
            // HERE answers every request, success or failure, with a fresh X-Correlation-Id and echoes X-Request-Id.
            response.Headers["X-Correlation-Id"] = exchange.CorrelationId;
            var requestId = exchange.Context.Request.Headers["X-Request-Id"].ToString();
            if (requestId.Length > 0 && TrackingIdPattern().IsMatch(requestId)) response.Headers["X-Request-Id"] = requestId;
        }
        if (answer.RetryAfterSeconds is { } retryAfter) response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        response.ContentLength = answer.Body.Length;
        await response.Body.WriteAsync(answer.Body, ct).ConfigureAwait(false);
    }

    /// <summary>TomTom echoes a valid <c>Tracking-ID</c> request header, else generates one.</summary>
    private static string TrackingIdFor(HttpRequest request)
    {
        var sent = request.Headers["Tracking-ID"].ToString();
        return sent.Length > 0 && TrackingIdPattern().IsMatch(sent) ? sent : Guid.NewGuid().ToString();
    }

    [GeneratedRegex("^[a-zA-Z0-9-]{1,100}$")]
    private static partial Regex TrackingIdPattern();

    private static bool KeysEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
