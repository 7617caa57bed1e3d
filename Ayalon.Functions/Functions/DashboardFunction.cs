using Ayalon.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Functions;

/// <summary>
/// GET / and the dashboard's static files. A catch-all route: the explicit <c>api/...</c> routes take precedence,
/// and any other <c>api/</c> path gets the JSON 404.
/// </summary>
public sealed class DashboardFunction(DashboardFiles files, ApiHandler api)
{
    [Function("Dashboard")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{*path}")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult(files.Serve(request, request.Path.Value)));
}
