using System.Text.Json.Serialization;

namespace Ayalon.Functions.Http;

/// <summary>The one error shape every endpoint answers with. Never carries exception text or a stack trace.</summary>
public sealed record ApiError(
    string Error,
    string Message,
    string TraceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RetryAfterSeconds = null)
{
    public const string InvalidInput = "invalid_input";
    public const string NotFound = "not_found";
    public const string QuotaExceeded = "quota_exceeded";
    public const string SourceUnavailable = "source_unavailable";
    public const string StaleData = "stale_data";
    public const string InternalError = "internal_error";
}
