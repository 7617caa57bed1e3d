namespace Ayalon.Core.Api;

/// <summary>A parsed, validated history request (both hosts parse with <see cref="HistoryQuery.Parse"/>).</summary>
public sealed record HistoryQuery(
    DateTimeOffset FromUtc,
    DateTimeOffset ToUtc,
    string Granularity,
    IReadOnlyList<string> Sections,
    string? Direction,
    string Format)
{
    public const string FiveMinutes = "5m";
    public const string Hour = "hour";
    public const string Day = "day";
    public static readonly IReadOnlyList<string> Granularities = [FiveMinutes, Hour, Day];
    public static readonly IReadOnlyList<string> Formats = ["json", "csv"];
    public static readonly IReadOnlyList<string> SingleParameters = ["from", "to", "granularity", "direction", "format"];
    public static readonly IReadOnlyList<string> RepeatableParameters = ["section"];

    /// <summary>
    /// The 5-minute grain is integrated from raw observations per request, so it serves two days at most (576 buckets
    /// per series; a whole corridor by section is about 1 MB of JSON): enough to see yesterday and today in detail,
    /// small enough that many concurrent requests cannot exhaust memory. Longer ranges use the hourly rollups.
    /// </summary>
    public static readonly TimeSpan FiveMinuteLimit = TimeSpan.FromDays(2);

    /// <summary>The longest range each granularity serves (a bigger answer is a download job, not a request).</summary>
    public static TimeSpan LimitFor(string granularity) => granularity switch
    {
        FiveMinutes => FiveMinuteLimit,
        Hour => TimeSpan.FromDays(90),
        _ => TimeSpan.FromDays(400),
    };

    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);

    /// <summary>Parses and validates; every problem is an <see cref="ApiInputException"/> naming the parameter.</summary>
    public static HistoryQuery Parse(Microsoft.AspNetCore.Http.IQueryCollection query, Corridor.CorridorDefinition corridor, DateTimeOffset nowUtc)
    {
        var q = ApiQuery.Read(query, SingleParameters.ToArray(), RepeatableParameters.ToArray());
        var granularity = q.OneOf("granularity", Granularities, Hour);
        var format = q.OneOf("format", Formats, "json");
        var direction = q.Get("direction");
        if (direction is not null && !corridor.Directions.Contains(direction, StringComparer.Ordinal))
            throw new ApiInputException("direction", $"parameter 'direction' is '{ApiQuery.Show(direction)}'; known: {string.Join(", ", corridor.Directions)}.");

        var sections = q.GetAll("section");
        foreach (var id in sections)
        {
            var section = corridor.Find(id)
                          ?? throw new ApiInputException("section", $"unknown section '{ApiQuery.Show(id)}'; known: {string.Join(", ", corridor.Sections.Select(s => s.Id))}.");
            if (direction is not null && section.Direction != direction)
                throw new ApiInputException("section", $"section '{id}' runs {section.Direction}, not {direction}.");
        }
        if (sections.Distinct(StringComparer.Ordinal).Count() != sections.Count)
            throw new ApiInputException("section", "a section is named more than once.");

        var from = q.Instant("from");
        var to = q.Instant("to");
        // Neither given: the last 24 h. Only 'from': from then until now. Only 'to': the 24 h before it.
        var end = to ?? nowUtc;
        var start = from ?? end - DefaultRange;
        if (start >= end)
            throw new ApiInputException(from is null ? "to" : "from",
                FormattableString.Invariant($"'from' ({start:yyyy-MM-dd'T'HH:mm:ss'Z'}) must be before 'to' ({end:yyyy-MM-dd'T'HH:mm:ss'Z'})."));
        var limit = LimitFor(granularity);
        if (end - start > limit)
            throw new ApiInputException(to is null ? "from" : "to", FormattableString.Invariant(
                $"the range from 'from' to 'to' is {(end - start).TotalDays:0.##} days; granularity {granularity} serves at most {limit.TotalDays:0} days") +
                (granularity == FiveMinutes ? "; use granularity=hour for longer ranges." : "."));
        return new HistoryQuery(start, end, granularity, sections, direction, format);
    }
}

public sealed record HistoryResponse(
    DateTimeOffset FromUtc,
    DateTimeOffset ToUtc,
    string Granularity,
    string TimeZone,
    IReadOnlyList<HistorySeries> Series);

public sealed record HistorySeries(string Key, string Kind, IReadOnlyList<HistoryPoint> Points);

public sealed record HistoryPoint(
    DateTimeOffset StartUtc,
    double ObservedSeconds,
    double Coverage,
    double? MeanDelaySeconds,
    double? MaxDelaySeconds,
    double? CongestedSeconds,
    double? VehicleHours,
    UsualDelay Usual);
