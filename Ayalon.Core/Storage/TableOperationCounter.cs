using Azure.Core;
using Azure.Core.Pipeline;

namespace Ayalon.Core.Storage;

/// <summary>
/// Counts every request the app sends to Table Storage (each is a billed transaction), so the cost of a cycle is
/// measured, not guessed. Registered as a per-retry pipeline policy: a retried request counts again, as it is billed.
/// </summary>
public sealed class TableOperationCounter : HttpPipelineSynchronousPolicy
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
}
