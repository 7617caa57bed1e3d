using Ayalon.Core.Collection;
using Ayalon.Core.ReadModels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Ayalon.Functions.Http;

/// <summary>
/// The one place that writes API responses: JSON (or CSV) bodies, the ETag / If-None-Match → 304 rule and
/// Cache-Control, and the error shape. Both hosts execute these results unchanged.
/// </summary>
public static class ApiResults
{
    /// <summary>Not cacheable by shared caches: health, analytics, errors.</summary>
    public static IActionResult Json<T>(T value, int statusCode = StatusCodes.Status200OK) =>
        new BodyResult(ApiBody.Json(value), statusCode, "no-store", withETag: false);

    /// <summary>
    /// A cacheable body: <c>ETag</c>, <c>Cache-Control: public, max-age=n</c> (n = seconds until the next collection
    /// cycle could change it: <see cref="CycleSchedule.MaxAgeSeconds"/>); a matching <c>If-None-Match</c> gets 304.
    /// </summary>
    public static IActionResult Cacheable(HttpRequest request, ApiBody body, int maxAgeSeconds)
    {
        var maxAge = Math.Max(0, maxAgeSeconds);
        var cacheControl = "public, max-age=" + maxAge.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Matches(request, body.ETag)
            ? new NotModifiedResult(body.ETag, cacheControl)
            : new BodyResult(body, StatusCodes.Status200OK, cacheControl, withETag: true);
    }

    /// <summary>Static files: <c>Cache-Control: no-cache</c> (always revalidate) with an ETag; a match gets 304.</summary>
    public static IActionResult Revalidated(HttpRequest request, ApiBody body) =>
        Matches(request, body.ETag)
            ? new NotModifiedResult(body.ETag, "no-cache")
            : new BodyResult(body, StatusCodes.Status200OK, "no-cache", withETag: true);

    /// <summary>The one error response shape of every endpoint; never exception text.</summary>
    public static IActionResult Error(HttpContext context, int statusCode, string code, string message, int? retryAfterSeconds = null)
    {
        var traceId = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        if (retryAfterSeconds is { } retry)
        {
            context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Json(new ApiError(code, message, traceId, retryAfterSeconds), statusCode);
    }

    /// <summary>RFC 9110 If-None-Match: a list of entity tags (weak comparison) or <c>*</c>.</summary>
    internal static bool Matches(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0) return false;
        foreach (var value in header)
        {
            if (value is null) continue;
            foreach (var raw in value.Split(','))
            {
                var tag = raw.Trim();
                if (tag == "*") return true;
                if (tag.StartsWith("W/", StringComparison.Ordinal)) tag = tag[2..];
                if (string.Equals(tag, etag, StringComparison.Ordinal)) return true;
            }
        }
        return false;
    }

    private sealed class BodyResult(ApiBody body, int statusCode, string cacheControl, bool withETag) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = statusCode;
            response.ContentType = body.ContentType;
            response.ContentLength = body.Bytes.Length;
            response.Headers.CacheControl = cacheControl;
            if (withETag) response.Headers.ETag = body.ETag;
            if (body.ContentDisposition is { } disposition) response.Headers[HeaderNames.ContentDisposition] = disposition;
            return HttpMethods.IsHead(context.HttpContext.Request.Method)
                ? Task.CompletedTask
                : WriteInChunksAsync(response.Body, body.Bytes, context.HttpContext.RequestAborted);
        }
    }

    /// <summary>Bytes written to the response stream per write; each write waits until the client has taken the previous ones.</summary>
    public const int WriteChunkBytes = 32 * 1024;

    /// <summary>
    /// Writes a body in slices, each awaited: the server then holds about one slice per slow connection instead of a
    /// copy of the whole body (measured: 200 connections reading a shared 1.4 MB history answer took the DevHost from
    /// 120 MB to 470 MB when written in one call; docs/BENCHMARKS.md, "History under load").
    /// </summary>
    internal static async Task WriteInChunksAsync(Stream stream, byte[] bytes, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < bytes.Length; offset += WriteChunkBytes)
        {
            await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(WriteChunkBytes, bytes.Length - offset)), cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class NotModifiedResult(string etag, string cacheControl) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status304NotModified;
            response.Headers.ETag = etag;
            response.Headers.CacheControl = cacheControl;
            return Task.CompletedTask;
        }
    }
}
