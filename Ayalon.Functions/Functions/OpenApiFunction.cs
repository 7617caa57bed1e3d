using Ayalon.Core.ReadModels;
using Ayalon.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>GET /api/openapi.json: the OpenAPI 3 description of this API (a test keeps it true to the running app).</summary>
public sealed class OpenApiFunction(ApiHandler api)
{
    [Function("OpenApi")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "api/openapi.json")] HttpRequest request) =>
        api.RunAsync(request, () =>
        {
            ApiQuery.Read(request.Query, []);
            return Task.FromResult(ApiResults.Cacheable(request, OpenApiDocument.Body, ApiBody.DocumentMaxAgeSeconds));
        });
}
