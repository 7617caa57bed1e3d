using Ayalon.Core.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>GET /api/impact/history: step-hold totals per 5 minutes, hour or local day, as JSON or CSV.</summary>
public sealed class HistoryFunction(HistoryService history, ApiHandler api)
{
    [Function("ImpactHistory")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "api/impact/history")] HttpRequest request,
        CancellationToken cancellationToken) =>
        api.RunAsync(request, async () =>
        {
            var query = history.Parse(request.Query);
            var body = await history.GetBodyAsync(query, cancellationToken);
            return ApiResults.Cacheable(request, body, history.MaxAgeSeconds());
        });
}
