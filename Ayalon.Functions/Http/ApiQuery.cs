using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Ayalon.Functions.Http;

/// <summary>
/// Strict query-string reading shared by both hosts: only the listed parameters are accepted, each at most once
/// unless declared repeatable, and every malformed value is a 400 naming the parameter. Echoed values are
/// shortened and stripped of control characters, so a hostile string cannot shape the error message.
/// </summary>
public sealed class ApiQuery
{
    private readonly IQueryCollection _query;

    private ApiQuery(IQueryCollection query) => _query = query;

    /// <summary>Rejects unknown parameters and repeats of single-valued ones.</summary>
    /// <param name="single">Parameters that may appear once.</param>
    /// <param name="repeatable">Parameters that may appear several times.</param>
    public static ApiQuery Read(IQueryCollection query, IReadOnlyCollection<string> single, IReadOnlyCollection<string>? repeatable = null)
    {
        repeatable ??= [];
        foreach (var (name, values) in query)
        {
            if (single.Contains(name, StringComparer.Ordinal))
            {
                if (values.Count > 1)
                    throw new ApiInputException(name, $"parameter '{Show(name)}' is given {values.Count} times; give it once.");
                continue;
            }
            if (repeatable.Contains(name, StringComparer.Ordinal)) continue;
            var known = single.Concat(repeatable).ToList();
            throw new ApiInputException(name, known.Count == 0
                ? $"unknown parameter '{Show(name)}': this endpoint takes no query parameters."
                : $"unknown parameter '{Show(name)}'; known: {string.Join(", ", known)}.");
        }
        return new ApiQuery(query);
    }

    public string? Get(string name)
    {
        var v = _query[name];
        if (v.Count == 0) return null;
        var s = v[0];
        if (string.IsNullOrWhiteSpace(s)) throw new ApiInputException(name, $"parameter '{name}' is empty.");
        return s;
    }

    public IReadOnlyList<string> GetAll(string name)
    {
        var values = _query[name];
        var result = new List<string>(values.Count);
        foreach (var v in values)
        {
            if (string.IsNullOrWhiteSpace(v)) throw new ApiInputException(name, $"parameter '{name}' is empty.");
            result.Add(v);
        }
        return result;
    }

    /// <summary>One of <paramref name="allowed"/> (exact, case-sensitive), or <paramref name="fallback"/> when absent.</summary>
    public string OneOf(string name, IReadOnlyList<string> allowed, string fallback)
    {
        var v = Get(name);
        if (v is null) return fallback;
        if (!allowed.Contains(v, StringComparer.Ordinal))
            throw new ApiInputException(name, $"parameter '{name}' is '{Show(v)}'; allowed: {string.Join(", ", allowed)}.");
        return v;
    }

    private static readonly string[] InstantFormats =
    [
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>
    /// An ISO-8601 instant with Z or an offset (<c>2026-11-27T08:00:00Z</c>), or a date (<c>2026-11-27</c>, UTC midnight).
    /// A time without a zone is refused: it would be guessed, and a guessed zone shifts every bucket.
    /// </summary>
    public DateTimeOffset? Instant(string name)
    {
        var v = Get(name);
        if (v is null) return null;
        if (v.Length <= 40)
        {
            if (DateTimeOffset.TryParseExact(v, InstantFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) &&
                v.Length > 16 && (v.EndsWith('Z') || v[^6] is '+' or '-'))
                return ValidYear(name, v, t.ToUniversalTime());
            if (DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                return ValidYear(name, v, new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        }
        throw new ApiInputException(name,
            $"parameter '{name}' is '{Show(v)}', not an ISO-8601 instant with a zone (e.g. 2026-11-27T08:00:00Z) or a date (2026-11-27).");
    }

    private static DateTimeOffset ValidYear(string name, string raw, DateTimeOffset t) =>
        t.Year is >= 2000 and <= 2200 ? t : throw new ApiInputException(name, $"parameter '{name}' is '{Show(raw)}', outside the years 2000–2200.");

    /// <summary>A value fit to quote in a message: at most 40 characters, printable ASCII only.</summary>
    public static string Show(string value)
    {
        var chars = value.Take(40).Select(c => c is >= ' ' and <= '~' && c is not '\'' ? c : '?').ToArray();
        return new string(chars) + (value.Length > 40 ? "…" : "");
    }
}
