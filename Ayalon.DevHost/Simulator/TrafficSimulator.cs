using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ayalon.Core.Corridor;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Extensions;

namespace Ayalon.DevHost.Simulator;

/// <summary>What <c>GET /_simulator/state</c> answers.</summary>
public sealed record SimulatorState(
    string Mode,
    string? ReplaySet,
    int Seed,
    bool RequiredKeySet,
    SimulatorFault Fault,
    int RequestCount,
    DateTimeOffset NowUtc,
    string BaseUrl);

/// <summary>
/// A TomTom Traffic Flow Segment Data v4 look-alike on loopback, for the local run and the tests:
/// <c>GET /traffic/services/4/flowSegmentData/{style}/{zoom}/json?point=lat,lon&amp;unit=KMPH&amp;key=…</c>.
/// Live mode answers with the whole carriageway of the nearest corridor direction (all three sections of it in one
/// answer) at speeds from a deterministic diurnal pattern; replay mode serves the recorded answers in
/// fixtures/tomtom/. Faults are switched at run time in C# (<see cref="Faults"/>) or over HTTP
/// (<c>POST/DELETE /_simulator/faults</c>, <c>GET /_simulator/state</c>, <c>GET /_simulator/requests</c>).
/// The simulator has no logging providers and keeps no key values: it cannot leak a key it was sent.
/// </summary>
public sealed partial class TrafficSimulator : IAsyncDisposable
{
    public const string FlowRoute = "/traffic/services/4/flowSegmentData/{style}/{zoom}/json";
    public const string ControlPrefix = "/_simulator";

    private static readonly HashSet<string> Styles = new(StringComparer.Ordinal)
    {
        "absolute", "relative", "relative0", "relative0-dark", "relative-delay", "reduced-sensitivity",
    };

    internal static readonly JsonSerializerOptions ControlJson = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    private readonly WebApplication _app;
    private readonly SimulatorOptions _options;
    private readonly ReplayLibrary? _replay;
    private readonly SimulatorRequestLog _log;
    private int _requestCount;
    private int _disposed;

    private TrafficSimulator(WebApplication app, SimulatorOptions options, CorridorDefinition corridor, ReplayLibrary? replay)
    {
        _app = app;
        _options = options;
        _replay = replay;
        Carriageways = new CarriagewayIndex(corridor);
        Pattern = new DiurnalTrafficPattern(options.Seed, options.PatternStepMinutes);
        _log = new SimulatorRequestLog(options.RequestLogCapacity);
    }

    /// <summary>Where the simulator listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request received on the TomTom API surface (not the <c>/_simulator</c> control routes), whatever its answer.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    public SimulatorMode Mode => _options.Mode;

    public string? ReplaySet => _replay?.Set;

    public int Seed => _options.Seed;

    /// <summary>The run-time fault switch (also reachable over HTTP).</summary>
    public SimulatorFaults Faults { get; } = new();

    public CarriagewayIndex Carriageways { get; }

    public DiurnalTrafficPattern Pattern { get; }

    /// <summary>The most recent requests, oldest first (no key values, only whether a key was present).</summary>
    public IReadOnlyList<SimulatorRequestRecord> RecentRequests => _log.Snapshot();

    /// <summary>Raised after each TomTom API request is answered (or abandoned); the standalone command prints it.</summary>
    public event Action<SimulatorRequestRecord>? RequestCompleted;

    public SimulatorState State => new(
        Mode == SimulatorMode.Replay ? "replay" : "live",
        ReplaySet,
        Seed,
        !string.IsNullOrEmpty(_options.RequiredKey),
        Faults.Current,
        RequestCount,
        _options.TimeProvider.GetUtcNow(),
        BaseUrl.ToString());

    public static async Task<TrafficSimulator> StartAsync(SimulatorOptions options, CorridorDefinition corridor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corridor);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TimeoutHangSeconds, 1);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);

        var replay = options.Mode == SimulatorMode.Replay
            ? ReplayLibrary.Load(options.ResolvedReplayDirectory, options.ReplaySet!.Trim())
            : null;
        SimulatorFault? initialFault = null;
        if (!string.IsNullOrWhiteSpace(options.Fault))
        {
            if (!SimulatorFault.TryParseKind(options.Fault, out var kind))
                throw new ArgumentException($"Unknown simulator fault '{options.Fault}'; known: {SimulatorFault.AllWireNames}.", nameof(options));
            initialFault = new SimulatorFault(kind);
        }

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
        var simulator = new TrafficSimulator(app, options, corridor, replay);
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
            if (!context.Request.Path.StartsWithSegments(ControlPrefix, StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref _requestCount);
            }
            return next(context);
        });

        app.MapGet(FlowRoute, (HttpContext context, string style, string zoom) => HandleFlowAsync(context, style, zoom));

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
    private sealed class Exchange(HttpContext context, string zoom, bool keyPresent, DateTimeOffset receivedAtUtc)
    {
        public HttpContext Context { get; } = context;
        public string Zoom { get; } = zoom;
        public bool KeyPresent { get; } = keyPresent;
        public DateTimeOffset ReceivedAtUtc { get; } = receivedAtUtc;
        public long Started { get; } = Stopwatch.GetTimestamp();
        public bool Recorded { get; set; }
    }

    private async Task HandleFlowAsync(HttpContext context, string style, string zoom)
    {
        var key = context.Request.Query["key"].ToString();
        var exchange = new Exchange(context, zoom, !string.IsNullOrWhiteSpace(key), _options.TimeProvider.GetUtcNow());
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _app.Lifetime.ApplicationStopping);
        try
        {
            var answer = await AnswerAsync(exchange, style, zoom, key, abort.Token).ConfigureAwait(false);
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
        var query = exchange.Context.Request.Query;
        var point = query["point"].ToString();
        var record = new SimulatorRequestRecord(
            exchange.ReceivedAtUtc,
            exchange.Context.Request.Path.Value ?? "",
            point.Length == 0 ? null : point[..Math.Min(point.Length, 64)],
            int.TryParse(exchange.Zoom, NumberStyles.Integer, CultureInfo.InvariantCulture, out var z) ? z : null,
            exchange.KeyPresent,
            status,
            outcome,
            Stopwatch.GetElapsedTime(exchange.Started).TotalMilliseconds);
        _log.Add(record);
        RequestCompleted?.Invoke(record);
    }

    /// <summary>Decides the answer (after any added latency or hang); the caller records and sends it.</summary>
    private async Task<Answer> AnswerAsync(Exchange exchange, string style, string zoom, string key, CancellationToken ct)
    {
        var request = exchange.Context.Request;

        // TomTom's gateway checks the key before anything else, so a keyless request never reaches a fault.
        if (!exchange.KeyPresent)
            return new Answer(403, TomTomBodies.Forbidden("You did not provide an API key."), "forbidden:no_key");
        if (!string.IsNullOrEmpty(_options.RequiredKey) && !KeysEqual(key, _options.RequiredKey))
            return new Answer(403, TomTomBodies.Forbidden(), "forbidden:wrong_key");

        var fault = Faults.Take();
        if (fault.LatencyMs > 0) await Task.Delay(fault.LatencyMs, ct).ConfigureAwait(false);
        var faultOutcome = "fault:" + SimulatorFault.WireName(fault.Kind);

        switch (fault.Kind)
        {
            case FaultKind.NoCoverage:
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
                // Held until the client aborts (the usual end) or the hang elapses; then a late but normal answer.
                await Task.Delay(TimeSpan.FromSeconds(_options.TimeoutHangSeconds), ct).ConfigureAwait(false);
                break;
        }

        var answer = NormalAnswer(request, style, zoom);
        if (answer.Status != 200 || fault.Kind is FaultKind.None or FaultKind.Timeout) return answer;
        var body = fault.Kind switch
        {
            FaultKind.MalformedJson => TomTomBodies.Malformed(),
            FaultKind.TruncatedJson => TomTomBodies.Truncated(answer.Body),
            FaultKind.LowConfidence or FaultKind.RoadClosure => TomTomBodies.WithFault(answer.Body, fault.Kind),
            _ => answer.Body,
        };
        return answer with { Body = body, Outcome = faultOutcome };
    }

    private sealed record Answer(int Status, byte[] Body, string Outcome, string? TrackingId = null, string? ContentType = null, int? RetryAfterSeconds = null);

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
        response.Headers["Tracking-ID"] = answer.TrackingId ?? TrackingIdFor(exchange.Context.Request);
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
