using Ayalon.Core.Api;
using Ayalon.Core.Collection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>Runs one collection cycle now, under the same lease and quota rules as the timer. Function-key protected.</summary>
public sealed class AdminCollectFunction(CollectionCycle cycle)
{
    [Function("AdminCollect")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/admin/collect")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        try
        {
            return ApiResults.Json(await cycle.RunAsync("admin", cancellationToken), StatusCodes.Status200OK);
        }
        catch (CycleFailedException ex)
        {
            return ApiResults.Error(request.HttpContext, StatusCodes.Status503ServiceUnavailable, ApiError.SourceUnavailable, ex.Message, retryAfterSeconds: 60);
        }
    }
}
