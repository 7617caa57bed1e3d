using System.CommandLine;
using System.Globalization;
using System.Text;

using Ayalon.DevHost.Cli;

namespace Ayalon.DevHost.Bench;

/// <summary>
/// <c>bare --port N --size BYTES</c>: the smallest Kestrel endpoint that answers every GET with one constant JSON
/// body of the given size — the yardstick scripts/load-impact.sh compares /api/impact against.
/// </summary>
public static class BareCommand
{
    public const string Name = "bare";

    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "Loopback port.", HelpName = "N", DefaultValueFactory = _ => 5099,
            CustomParser = CommandLineRunner.WholeNumber("--port", 1, 65535, fallback: 5099),
        };
        var size = new Option<int>("--size")
        {
            Description = "Body size in bytes.", HelpName = "BYTES", DefaultValueFactory = _ => 4096,
            CustomParser = CommandLineRunner.WholeNumber("--size", 0, int.MaxValue, fallback: 4096),
        };
        var command = new Command(Name,
            "The smallest Kestrel endpoint: answers every GET with one constant JSON body of the given size (the yardstick of scripts/load-impact.sh).")
        {
            port, size,
        };
        command.SetAction((result, _) => RunAsync(result.GetValue(port), result.GetValue(size), result.InvocationConfiguration.Output));
        return command;
    }

    private static async Task<int> RunAsync(int port, int size, TextWriter stdout)
    {
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
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bare endpoint: http://127.0.0.1:{port}/ ({body.Length} bytes)")).ConfigureAwait(false);
        await app.RunAsync().ConfigureAwait(false);
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
