using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Net.Http.Headers;

namespace Ayalon.Core.Api;

/// <summary>
/// Headers every response carries, in both hosts (the Functions worker middleware and the DevHost middleware
/// call <see cref="Apply"/>): nosniff, no referrer, a self-only Content-Security-Policy (the page loads nothing
/// from elsewhere; the API returns data only), and CORS for the origins in <c>Cors:AllowedOrigins</c>
/// (comma-separated; none by default — the page is same-origin).
/// </summary>
public sealed class ResponseHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

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
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";

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
