using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Ayalon.Core.Api;

/// <summary>Builds the one error response shape of every endpoint.</summary>
public static class ApiErrors
{
    public static IActionResult Result(HttpContext context, int statusCode, string code, string message, int? retryAfterSeconds = null)
    {
        var traceId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        if (retryAfterSeconds is { } retry)
        {
            context.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        }
        return ApiResults.Json(new ApiError(code, message, traceId, retryAfterSeconds), statusCode);
    }
}
