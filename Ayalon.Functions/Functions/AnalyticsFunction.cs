using Ayalon.Core.Analytics;
using Ayalon.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>GET /api/analytics?window=24h|7d|30d: cycles, provider calls, quota, latency, coverage, uptime.</summary>
public sealed class AnalyticsFunction(AnalyticsService analytics, ApiHandler api)
{
    [Function("Analytics")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "api/analytics")] HttpRequest request,
        CancellationToken cancellationToken) =>
        api.RunAsync(request, async () =>
        {
            var window = ApiQuery.Read(request.Query, ["window"]).OneOf("window", AnalyticsService.Windows, "24h");
            return ApiResults.Json(await analytics.GetAsync(window, cancellationToken));
        });
}
