using Ayalon.Core.Corridor;
using Ayalon.Core.ReadModels;
using Microsoft.AspNetCore.Http;

namespace Ayalon.Functions.Http;

/// <summary>The query string of GET /api/impact/history, read into a <see cref="HistoryQuery"/> at the edge.</summary>
public static class HistoryQueryParser
{
    public static readonly IReadOnlyList<string> SingleParameters = ["from", "to", "granularity", "direction", "format"];
    public static readonly IReadOnlyList<string> RepeatableParameters = ["section"];

    /// <summary>Parses and validates; every problem is an <see cref="ApiInputException"/> naming the parameter.</summary>
    public static HistoryQuery Parse(IQueryCollection query, CorridorDefinition corridor, DateTimeOffset nowUtc)
    {
        var q = ApiQuery.Read(query, SingleParameters.ToArray(), RepeatableParameters.ToArray());
        var granularity = q.OneOf("granularity", HistoryQuery.Granularities, HistoryQuery.Hour);
        var format = q.OneOf("format", HistoryQuery.Formats, "json");
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
        var start = from ?? end - HistoryQuery.DefaultRange;
        if (start >= end)
            throw new ApiInputException(from is null ? "to" : "from",
                FormattableString.Invariant($"'from' ({start:yyyy-MM-dd'T'HH:mm:ss'Z'}) must be before 'to' ({end:yyyy-MM-dd'T'HH:mm:ss'Z'})."));
        var limit = HistoryQuery.LimitFor(granularity);
        if (end - start > limit)
            throw new ApiInputException(to is null ? "from" : "to", FormattableString.Invariant(
                $"the range from 'from' to 'to' is {(end - start).TotalDays:0.##} days; granularity {granularity} serves at most {limit.TotalDays:0} days") +
                (granularity == HistoryQuery.FiveMinutes ? "; use granularity=hour for longer ranges." : "."));
        return new HistoryQuery(start, end, granularity, sections, direction, format);
    }
}
