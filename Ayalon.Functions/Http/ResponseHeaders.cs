using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Net.Http.Headers;

namespace Ayalon.Functions.Http;

/// <summary>
/// Headers every response carries, in both hosts (the Functions worker middleware and the DevHost middleware
/// call <see cref="Apply"/>): <see cref="SecurityHeaders"/> — nosniff, no referrer, a self-only
/// Content-Security-Policy (the page loads nothing from elsewhere; the API returns data only), no framing, no
/// device APIs, HTTPS only — and CORS for the origins in <c>Cors:AllowedOrigins</c> (comma-separated; none by
/// default — the page is same-origin). CORS applies to the public read routes only (<see cref="CorsRoutes"/>): a
/// preflight elsewhere (admin, a path that does not exist) is not answered here and gets what the route gives.
/// With CORS configured every response carries <c>Vary: Origin</c>, so a shared cache never hands one origin's
/// answer (with or without <c>Access-Control-Allow-Origin</c>) to another.
/// </summary>
public sealed class ResponseHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The security headers, one list: the Static Web App sends the same from wwwroot/staticwebapp.config.json
    /// (<c>globalHeaders</c>; a test keeps the two equal). Browsers ignore Strict-Transport-Security over plain HTTP,
    /// so the local DevHost is unaffected by it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SecurityHeaders { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy,
        [HeaderNames.XContentTypeOptions] = "nosniff",
        ["Referrer-Policy"] = "no-referrer",
        [HeaderNames.XFrameOptions] = "DENY",
        ["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()",
        [HeaderNames.StrictTransportSecurity] = "max-age=31536000",
    };

    /// <summary>
    /// The anonymous GET/HEAD API routes, which browsers on allowed origins may read (a test keeps this list equal to
    /// the function classes' anonymous GET routes under <c>api/</c>).
    /// </summary>
    public static IReadOnlySet<string> CorsRoutes { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "/api/impact", "/api/impact/history", "/api/health", "/api/analytics", "/api/corridor", "/api/openapi.json",
    };

    private readonly HashSet<string> _origins;

    public ResponseHeaders(IConfiguration configuration)
    {
        _origins = new HashSet<string>(
            (configuration["Cors:AllowedOrigins"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(o => o.TrimEnd('/')),
            StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<string> AllowedOrigins => _origins;

    /// <summary>Sets the headers; answers a CORS preflight itself (returns true: nothing else should run).</summary>
    public bool Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        foreach (var (name, value) in SecurityHeaders) headers[name] = value;
        if (_origins.Count == 0) return false;

        headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || !_origins.Contains(origin)) return false;
        var path = (context.Request.Path.Value ?? "").TrimEnd('/');
        if (!CorsRoutes.Contains(path)) return false;
        headers.AccessControlAllowOrigin = origin;
        headers.AccessControlExposeHeaders = "ETag, Retry-After, Content-Disposition";
        if (!HttpMethods.IsOptions(context.Request.Method) || context.Request.Headers.AccessControlRequestMethod.Count == 0) return false;
        headers.AccessControlAllowMethods = "GET, HEAD";
        headers.AccessControlAllowHeaders = "If-None-Match";
        headers.AccessControlMaxAge = "600";
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return true;
    }
}
