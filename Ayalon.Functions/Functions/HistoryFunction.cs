using Ayalon.Core.Corridor;
using Ayalon.Core.ReadModels;
using Ayalon.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>GET /api/impact/history: step-hold totals per 5 minutes, hour or local day, as JSON or CSV.</summary>
public sealed class HistoryFunction(HistoryService history, CorridorDefinition corridor, ApiHandler api, TimeProvider time)
{
    [Function("ImpactHistory")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "api/impact/history")] HttpRequest request,
        CancellationToken cancellationToken) =>
        api.RunAsync(request, async () =>
        {
            var query = HistoryQueryParser.Parse(request.Query, corridor, time.GetUtcNow());
            var body = await history.GetBodyAsync(query, cancellationToken);
            return ApiResults.Cacheable(request, body, history.MaxAgeSeconds());
        });
}
