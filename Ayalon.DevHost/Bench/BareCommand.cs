using System.Globalization;
using System.Text;

namespace Ayalon.DevHost.Bench;

/// <summary>
/// <c>bare --port N --size BYTES</c>: the smallest Kestrel endpoint that answers every GET with one constant JSON
/// body of the given size — the yardstick scripts/load-impact.sh compares /api/impact against.
/// </summary>
public static class BareCommand
{
    public const string Name = "bare";

    public static async Task<int> RunAsync(string[] args)
    {
        var port = 5099;
        var size = 4096;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--size": size = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default:
                    await Console.Error.WriteLineAsync($"unknown option {args[i]}; usage: bare --port N --size BYTES");
                    return 2;
            }
        }
        var body = Body(size);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body, 0, body.Length);
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bare endpoint: http://127.0.0.1:{port}/ ({body.Length} bytes)"));
        await app.RunAsync();
        return 0;
    }

    /// <summary>{"padding":"xxxx…"} of exactly <paramref name="size"/> bytes (at least the empty object).</summary>
    internal static byte[] Body(int size)
    {
        const string head = "{\"padding\":\"", tail = "\"}";
        var pad = Math.Max(0, size - head.Length - tail.Length);
        return Encoding.UTF8.GetBytes(head + new string('x', pad) + tail);
    }
}
