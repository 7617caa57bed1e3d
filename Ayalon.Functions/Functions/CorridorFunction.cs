using Ayalon.Core.ReadModels;
using Ayalon.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>GET /api/corridor: the sections and their geometry (© OpenStreetMap contributors, ODbL 1.0).</summary>
public sealed class CorridorFunction(CorridorService corridor, ApiHandler api)
{
    [Function("Corridor")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "api/corridor")] HttpRequest request) =>
        api.RunAsync(request, () =>
        {
            ApiQuery.Read(request.Query, []);
            return Task.FromResult(ApiResults.Cacheable(request, corridor.Body, CorridorService.MaxAgeSeconds));
        });
}
