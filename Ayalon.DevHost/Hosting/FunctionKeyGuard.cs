using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Ayalon.DevHost.Hosting;

/// <summary>
/// The DevHost's stand-in for the Functions host's key check on function-level routes (<c>DevHost:FunctionKey</c>,
/// given as <c>x-functions-key</c> or <c>?code=</c>). The comparison takes the same time whatever the guess (both sides
/// are hashed to equal length, then compared with <see cref="CryptographicOperations.FixedTimeEquals"/>), and a client
/// that keeps failing is slowed down: after <see cref="FreeFailures"/> failures within <see cref="Window"/>, each
/// further refusal waits <see cref="StepDelay"/> per extra failure, at most <see cref="MaxDelay"/>.
/// In Azure the Functions host does its own key checks.
/// </summary>
public sealed class FunctionKeyGuard(IConfiguration configuration, TimeProvider time)
{
    public const int FreeFailures = 3;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan StepDelay = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Bound on remembered clients; past it the memory is cleared (a flood of addresses cannot grow it).</summary>
    private const int MaxClients = 10_000;

    private readonly ConcurrentDictionary<IPAddress, Failures> _failures = new();

    private sealed record Failures(int Count, DateTimeOffset FirstUtc);

    /// <summary>True when the request carries the configured key; otherwise records the failure and waits if it repeats.</summary>
    public async Task<bool> CheckAsync(HttpContext context)
    {
        var expected = configuration["DevHost:FunctionKey"];
        var given = context.Request.Headers["x-functions-key"].FirstOrDefault() ?? context.Request.Query["code"].FirstOrDefault();
        // No key configured: protected routes stay closed.
        if (!string.IsNullOrEmpty(expected) && given is not null && Equal(given, expected))
        {
            return true;
        }
        var delay = RecordFailure(context.Connection.RemoteIpAddress ?? IPAddress.None);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, context.RequestAborted).ConfigureAwait(false);
        }
        return false;
    }

    /// <summary>How long this refusal waits: zero for the first few failures in the window, then growing.</summary>
    public TimeSpan RecordFailure(IPAddress client)
    {
        var now = time.GetUtcNow();
        if (_failures.Count > MaxClients) _failures.Clear();
        var f = _failures.AddOrUpdate(client, _ => new Failures(1, now),
            (_, old) => now - old.FirstUtc > Window ? new Failures(1, now) : old with { Count = old.Count + 1 });
        var extra = f.Count - FreeFailures;
        if (extra <= 0) return TimeSpan.Zero;
        var delay = StepDelay * extra;
        return delay < MaxDelay ? delay : MaxDelay;
    }

    private static bool Equal(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
