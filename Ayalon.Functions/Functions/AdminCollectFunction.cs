using Ayalon.Core.Collection;
using Ayalon.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>Runs one collection cycle now, under the same lease and quota rules as the timer. Function-key protected.</summary>
public sealed class AdminCollectFunction(CollectionCycle cycle, ApiHandler api)
{
    /// <summary>A cycle that storage stopped (<see cref="CycleFailedException"/>) is worth retrying after about a minute.</summary>
    public const int CycleRetryAfterSeconds = 60;

    [Function("AdminCollect")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/admin/collect")] HttpRequest request,
        CancellationToken cancellationToken) =>
        api.RunAsync(request, async () =>
        {
            try
            {
                return ApiResults.Json(await cycle.RunAsync("admin", cancellationToken));
            }
            catch (CycleFailedException ex)
            {
                return ApiResults.Error(request.HttpContext, StatusCodes.Status503ServiceUnavailable, ApiError.SourceUnavailable, ex.Message,
                    CycleRetryAfterSeconds);
            }
        });
}
