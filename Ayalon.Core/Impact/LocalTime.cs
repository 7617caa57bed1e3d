namespace Ayalon.Core.Impact;

/// <summary>
/// The one home of local-time arithmetic for the corridor's zone (<see cref="ImpactConstants.LocalTimeZone"/>,
/// Asia/Jerusalem): wall-clock times, local dates, local midnights and the hour grid. Asia/Jerusalem has whole-hour
/// offsets, so local days and hours start on UTC hours; the DST rules (a missing spring hour, a repeated autumn hour)
/// are decided here and nowhere else.
/// </summary>
public static class LocalTime
{
    /// <summary>The wall-clock time in <paramref name="zone"/> at an instant (Kind Unspecified).</summary>
    public static DateTime WallClock(DateTimeOffset utc, TimeZoneInfo zone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(utc, zone).DateTime, DateTimeKind.Unspecified);

    /// <summary>
    /// The instant a wall-clock time names; null when it does not exist (the spring-forward gap). An ambiguous time
    /// (the repeated autumn hour) is taken as standard time.
    /// </summary>
    public static DateTimeOffset? InstantOf(DateTime wallClock, TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified);
        return zone.IsInvalidTime(local) ? null : new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    /// <summary>The local date at an instant.</summary>
    public static DateOnly DateOf(DateTimeOffset utc, TimeZoneInfo zone) => DateOnly.FromDateTime(WallClock(utc, zone));

    /// <summary>When a local day starts, in UTC. Where midnight does not exist (a DST start at midnight), the first valid minute.</summary>
    public static DateTimeOffset MidnightUtc(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    public static DateTimeOffset FloorHour(DateTimeOffset utc) =>
        new(utc.UtcTicks - utc.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);

    public static DateTimeOffset CeilingHour(DateTimeOffset utc) =>
        utc.UtcTicks % TimeSpan.TicksPerHour == 0 ? utc.ToUniversalTime() : FloorHour(utc).AddHours(1);
}
