using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.Functions.Http;

/// <summary>
/// Worker middleware: the security and CORS headers of <see cref="ResponseHeaders"/> on every HTTP response of
/// the Functions app (the DevHost applies the same class in its own middleware): CORS on the public read routes
/// only, and <c>Vary: Origin</c> whenever CORS is configured.
/// </summary>
public sealed class ResponseHeadersMiddleware(ResponseHeaders headers) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is { } http && headers.Apply(http)) return; // a CORS preflight, answered
        await next(context);
    }
}
