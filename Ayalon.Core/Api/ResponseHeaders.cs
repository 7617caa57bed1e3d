using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Net.Http.Headers;

namespace Ayalon.Core.Api;

/// <summary>
/// Headers every response carries, in both hosts (the Functions worker middleware and the DevHost middleware
/// call <see cref="Apply"/>): <see cref="SecurityHeaders"/> — nosniff, no referrer, a self-only
/// Content-Security-Policy (the page loads nothing from elsewhere; the API returns data only), no framing, no
/// device APIs, HTTPS only — and CORS for the origins in <c>Cors:AllowedOrigins</c> (comma-separated; none by
/// default — the page is same-origin).
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

        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || !_origins.Contains(origin)) return false;
        headers.AccessControlAllowOrigin = origin;
        headers.Vary = HeaderNames.Origin;
        headers.AccessControlExposeHeaders = "ETag, Retry-After, Content-Disposition";
        if (!HttpMethods.IsOptions(context.Request.Method) || context.Request.Headers.AccessControlRequestMethod.Count == 0) return false;
        headers.AccessControlAllowMethods = "GET, HEAD, OPTIONS";
        headers.AccessControlAllowHeaders = "If-None-Match";
        headers.AccessControlMaxAge = "600";
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return true;
    }
}
