using Ayalon.Core.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

public sealed class ImpactFunction(ImpactService impact)
{
    [Function("Impact")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/impact")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        return new JsonResult(await impact.GetAsync(cancellationToken), AyalonJson.Options);
    }
}
