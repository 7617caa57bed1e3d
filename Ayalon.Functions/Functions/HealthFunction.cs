using Ayalon.Core.Health;
using Ayalon.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>GET /api/health: from persisted data only; 200 when healthy or degraded, 503 otherwise.</summary>
public sealed class HealthFunction(HealthService health, ApiHandler api)
{
    [Function("Health")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "api/health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        api.RunAsync(request, async () =>
        {
            ApiQuery.Read(request.Query, []);
            var report = await health.GetAsync(cancellationToken);
            return ApiResults.Json(report, report.HttpStatus);
        });
}
