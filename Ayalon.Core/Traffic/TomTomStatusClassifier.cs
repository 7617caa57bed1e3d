using System.Globalization;
using System.Text.Json;

namespace Ayalon.Core.Traffic;

/// <summary>What one TomTom answer means: a <see cref="ProviderStatus"/>, the piece when ok, a short safe detail code.</summary>
public sealed record TomTomClassification(string Status, FlowPiece? Piece, string? Detail);

/// <summary>
/// The one status classifier for TomTom Traffic Flow Segment Data answers, used by <see cref="TomTomClient"/> and by
/// the DevHost's replay of recorded answers. Decided from the HTTP status and TomTom's structured error body
/// (<c>{"error","httpStatusCode","detailedError":{"code","message"}}</c>), never from exception text.
/// </summary>
public static class TomTomStatusClassifier
{
    /// <summary>
    /// TomTom's documented error text for a point with no road segment in its traffic model nearby — since
    /// 2026-09-15 the answer for every Israeli point. It is compared for equality with TomTom's structured error
    /// fields (<c>detailedError.message</c>, <c>error</c>), never searched for in exception text: it is the only
    /// signal TomTom gives (the code is the generic INVALID_REQUEST), and an exact match cannot misfire on other 400s.
    /// </summary>
    public const string NoCoverageMessage = "Point too far from nearest existing segment.";

    public const string DetailNoCoverage = "point_too_far_from_segment";

    /// <summary>
    /// Classify one answer. <paramref name="isSecret"/> (the client's key check) keeps a code that contains the key
    /// out of the detail; the parse-error message is the parser's own and holds no body text.
    /// </summary>
    public static TomTomClassification Classify(int httpStatus, ReadOnlySpan<byte> body, string? trackingId, Func<string, bool>? isSecret = null)
    {
        if (httpStatus is >= 200 and < 300)
        {
            var parsed = TomTomFlowParser.Parse(body, trackingId);
            return parsed.IsOk
                ? new TomTomClassification(ProviderStatus.Ok, parsed.Piece, null)
                : new TomTomClassification(ProviderStatus.ParseError, null, parsed.Error);
        }

        var error = TomTomError.TryRead(body);
        var httpCode = "http_" + httpStatus.ToString(CultureInfo.InvariantCulture);
        var code = ProviderErrorCode.Safe(error?.Code, isSecret) ?? httpCode;
        return httpStatus switch
        {
            400 when error is not null && (IsNoCoverage(error.Message) || IsNoCoverage(error.Error)) =>
                new TomTomClassification(ProviderStatus.NoCoverage, null, DetailNoCoverage),
            401 or 403 => new TomTomClassification(ProviderStatus.AuthError, null, code),
            429 => new TomTomClassification(ProviderStatus.RateLimited, null, code),
            // 5xx includes TomTom's 596 ("service not found / backend down" from its gateway).
            _ => new TomTomClassification(ProviderStatus.HttpError, null, httpStatus >= 500 ? httpCode : code),
        };
    }

    private static bool IsNoCoverage(string? text) =>
        text is not null && string.Equals(text.Trim(), NoCoverageMessage, StringComparison.Ordinal);

    /// <summary>TomTom's error body: <c>{"error":…,"httpStatusCode":…,"detailedError":{"code":…,"message":…}}</c>.</summary>
    private sealed record TomTomError(string? Error, int? HttpStatusCode, string? Code, string? Message)
    {
        public static TomTomError? TryRead(ReadOnlySpan<byte> body)
        {
            if (body.IsEmpty) return null;
            try
            {
                var reader = new Utf8JsonReader(body);
                using var doc = JsonDocument.ParseValue(ref reader);
                if (reader.Read()) return null; // more than one value: not TomTom's error shape
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return null;
                string? error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                int? status = root.TryGetProperty("httpStatusCode", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var n) ? n : null;
                string? code = null, message = null;
                if (root.TryGetProperty("detailedError", out var d) && d.ValueKind == JsonValueKind.Object)
                {
                    code = d.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                    message = d.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                }
                return new TomTomError(error, status, code, message);
            }
            catch (JsonException)
            {
                return null; // not TomTom's JSON error shape (e.g. an HTML gateway page): classified by status alone
            }
        }
    }
}
