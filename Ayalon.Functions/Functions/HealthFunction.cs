using Ayalon.Core.Api;
using Ayalon.Core.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

public sealed class HealthFunction(HealthService health)
{
    [Function("Health")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var report = await health.GetAsync(cancellationToken);
        return new JsonResult(report, AyalonJson.Options) { StatusCode = report.HttpStatus };
    }
}
