using System.Globalization;
using System.Text.Json;

namespace Ayalon.Core.Traffic.Here;

/// <summary>
/// What one HERE answer means: a <see cref="ProviderStatus"/>; the parsed answer when the body was a valid
/// <c>/v7/flow</c> one (status <c>ok</c>, or <c>no_coverage</c> for an empty <c>results</c>); a short safe detail code
/// (never HERE's free text, which may echo the request); and HERE's <c>correlationId</c> from an error body, if any.
/// </summary>
/// <remarks>
/// An <c>ok</c> answer whose pieces were all dropped for low confidence stays <c>ok</c>: <see cref="HereParseResult.DroppedLowConfidence"/>
/// and an empty <see cref="HereParseResult.Pieces"/> say so, and the caller decides how to report it.
/// </remarks>
public sealed record HereClassification(string Status, HereParseResult? Parsed, string? Detail, string? CorrelationId)
{
    public IReadOnlyList<FlowPiece> Pieces => Parsed?.Pieces ?? [];
}

/// <summary>
/// The one status classifier for HERE Traffic API v7 answers, used by the HERE client and by the DevHost's replay.
/// Decided from the HTTP status and the body's structure only — never from exception text:
/// 401/403 → <c>auth_error</c> (body <c>{"error","error_description"}</c>); 429 → <c>rate_limited</c>; other 4xx →
/// <c>http_error</c> with HERE's <c>code</c> (body <c>{"title","status","code","cause","action","correlationId"}</c>);
/// 5xx → <c>http_error</c> <c>http_5xx</c>; 2xx with an empty <c>results</c> → <c>no_coverage</c>; 2xx that the
/// parser refuses → <c>parse_error</c> with the parser's message.
/// </summary>
public static class HereStatusClassifier
{
    public const string DetailEmptyResults = "empty_results";
    public const string DetailUnauthorized = "unauthorized";
    public const string DetailForbidden = "forbidden";

    /// <param name="httpStatus">The response status.</param>
    /// <param name="body">The response body (redacted by the caller if it could echo a secret).</param>
    /// <param name="trackingId">Carried by every parsed piece (the response's correlation id, else ours).</param>
    /// <param name="confidenceFloor">Exclusive real-time floor for the parser (the constants file's <c>matching.confidenceFloor</c>).</param>
    public static HereClassification Classify(int httpStatus, ReadOnlySpan<byte> body, string? trackingId, double confidenceFloor)
    {
        var httpCode = "http_" + httpStatus.ToString(CultureInfo.InvariantCulture);
        if (httpStatus is >= 200 and < 300)
        {
            var parsed = HereFlowParser.Parse(body, trackingId, confidenceFloor);
            if (!parsed.IsOk) return new HereClassification(ProviderStatus.ParseError, null, parsed.Error, null);
            return parsed.ResultCount == 0
                ? new HereClassification(ProviderStatus.NoCoverage, parsed, DetailEmptyResults, null)
                : new HereClassification(ProviderStatus.Ok, parsed, null, null);
        }

        var (code, correlationId) = ReadErrorBody(body);
        return httpStatus switch
        {
            // error_description is free text ("apiKey invalid. apiKey not found.") and is never kept.
            401 => new HereClassification(ProviderStatus.AuthError, null, DetailUnauthorized, correlationId),
            403 => new HereClassification(ProviderStatus.AuthError, null, DetailForbidden, correlationId),
            429 => new HereClassification(ProviderStatus.RateLimited, null, code ?? httpCode, correlationId),
            >= 400 and < 500 => new HereClassification(ProviderStatus.HttpError, null, code ?? httpCode, correlationId),
            _ => new HereClassification(ProviderStatus.HttpError, null, httpCode, correlationId),
        };
    }

    /// <summary>HERE's <c>code</c> and <c>correlationId</c>, each kept only if it looks like one.</summary>
    private static (string? Code, string? CorrelationId) ReadErrorBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return (null, null);
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            return (ProviderErrorCode.Safe(StringOf(root, "code")), ProviderErrorCode.Safe(StringOf(root, "correlationId")));
        }
        catch (JsonException)
        {
            return (null, null); // not HERE's JSON error shape (e.g. a gateway's HTML page): the status alone decides
        }
    }

    private static string? StringOf(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
