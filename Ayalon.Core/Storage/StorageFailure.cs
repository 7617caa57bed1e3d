namespace Ayalon.Core.Storage;

/// <summary>
/// The one test for "Table Storage failed" (as opposed to a bug): what the Azure SDK and the transport under it
/// throw when the service answers with an error, cannot be reached, or times out. The SDK wraps its own retries'
/// failures in an AggregateException.
/// </summary>
public static class StorageFailure
{
    public static bool Is(Exception ex) =>
        ex is Azure.RequestFailedException or HttpRequestException or IOException or AggregateException or TimeoutException;
}
