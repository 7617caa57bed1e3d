namespace Ayalon.Core.Storage;

/// <summary>
/// The one test for "Table Storage failed" (as opposed to a bug): what the Azure SDK and the transport under it
/// throw when the service answers with an error, cannot be reached, or times out. The SDK wraps its own retries'
/// failures in an AggregateException, and a timed-out request surfaces as a cancellation carrying the cause.
/// </summary>
public static class StorageFailure
{
    public static bool Is(Exception ex) => ex switch
    {
        Azure.RequestFailedException or HttpRequestException or IOException or TimeoutException => true,
        AggregateException agg => agg.InnerExceptions.Count > 0 && agg.InnerExceptions.All(Is),
        OperationCanceledException { InnerException: { } inner } => Is(inner),
        _ => false,
    };

    /// <summary>
    /// How storage failed, for health and logs: it gave an HTTP answer (a status code, e.g. 403 or 500) or none at all
    /// (connection refused, DNS, timeout). An aggregate takes the last answer its retries got, if any.
    /// </summary>
    public static StorageFailureKind Classify(Exception ex) => ex switch
    {
        Azure.RequestFailedException { Status: > 0 } r => new StorageFailureKind(true, r.Status, r.ErrorCode),
        AggregateException agg => agg.InnerExceptions.Select(Classify).LastOrDefault(k => k.Answered) ?? StorageFailureKind.NoAnswer,
        OperationCanceledException { InnerException: { } inner } => Classify(inner),
        _ => StorageFailureKind.NoAnswer,
    };

    /// <summary>A Table Storage answer saying the table does not exist (it disappeared, e.g. an in-memory emulator restarted).</summary>
    public static bool IsTableNotFound(Exception ex) => ex switch
    {
        Azure.RequestFailedException { Status: 404 } r => string.Equals(r.ErrorCode, TableNotFoundCode, StringComparison.Ordinal),
        AggregateException agg => agg.InnerExceptions.Any(IsTableNotFound),
        _ => false,
    };

    public const string TableNotFoundCode = "TableNotFound";
}

/// <param name="Answered">True when storage sent an HTTP answer (an error status); false when it could not be reached.</param>
public sealed record StorageFailureKind(bool Answered, int? HttpStatus, string? ErrorCode)
{
    public static readonly StorageFailureKind NoAnswer = new(false, null, null);

    /// <summary>Plain words for health: never exception text, never an endpoint.</summary>
    public string Describe() => Answered
        ? "table storage answered with an error (HTTP " + HttpStatus!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) +
          (ErrorCode is { Length: > 0 } code && code.All(c => char.IsAsciiLetterOrDigit(c)) ? " " + code : "") + ")"
        : "table storage unreachable (no answer)";
}
