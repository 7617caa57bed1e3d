using Ayalon.Core.Audit;
using Ayalon.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>
/// POST /api/admin/audit?from=&amp;to=: recomputes the cycles in range from the raw archive and lists every difference
/// from the stored data — the report the DevHost's <c>audit</c> command prints, as JSON. Function-key protected.
/// </summary>
public sealed class AdminAuditFunction(CycleAudit audit, ApiHandler api)
{
    [Function("AdminAudit")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/admin/audit")] HttpRequest request,
        CancellationToken cancellationToken) =>
        api.RunAsync(request, async () =>
        {
            try
            {
                var from = AuditRange.Parse(request.Query["from"].FirstOrDefault(), "from");
                var to = AuditRange.Parse(request.Query["to"].FirstOrDefault(), "to");
                return ApiResults.Json(await audit.RunAsync(from, to, cancellationToken));
            }
            catch (AuditInputException ex)
            {
                throw new ApiInputException(ex.Parameter, ex.Message);
            }
        });
}
