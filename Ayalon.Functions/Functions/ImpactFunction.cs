using Ayalon.Core.ReadModels;
using Ayalon.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>GET /api/impact: the latest state, today's integral, sources and provenance (served from memory).</summary>
public sealed class ImpactFunction(ImpactService impact, ApiHandler api, TimeProvider time)
{
    [Function("Impact")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "api/impact")] HttpRequest request,
        CancellationToken cancellationToken) =>
        api.RunAsync(request, async () =>
        {
            ApiQuery.Read(request.Query, []);
            var snapshot = await impact.GetAsync(cancellationToken);
            return ApiResults.Cacheable(request, snapshot.Body, snapshot.MaxAgeSeconds(time.GetUtcNow()));
        });
}
