namespace Ayalon.Core.ReadModels;

/// <summary>A parsed, validated history request (the HTTP edge builds it from the query string: Ayalon.Functions/Http/HistoryQueryParser).</summary>
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
