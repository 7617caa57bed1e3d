using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Ayalon.Tests.Browser;

/// <summary>What the server answered, seen from the server: lets a test prove a 304 (ETag revalidation) happened.</summary>
public sealed record LoggedResponse(string Path, string Query, int Status, string? IfNoneMatch);

public sealed class ResponseLog : IStartupFilter
{
    public ConcurrentQueue<LoggedResponse> Entries { get; } = new();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
            await nextMiddleware(context);
            Entries.Enqueue(new LoggedResponse(context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "",
                context.Response.StatusCode, ifNoneMatch.Length == 0 ? null : ifNoneMatch));
        });
        next(app);
    };
}
