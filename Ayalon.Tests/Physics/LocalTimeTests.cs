using Ayalon.Core.Impact;

namespace Ayalon.Tests.Physics;

/// <summary>The one home of local-time rules, on Israel's 2026 clock changes (27 March 02:00 → 03:00, 25 October 02:00 → 01:00).</summary>
[Trait("Category", "Unit")]
public sealed class LocalTimeTests
{
    private static readonly TimeZoneInfo Israel = ImpactConstants.Default.LocalTimeZone;

    [Theory]
    [InlineData("2026-03-26T22:00:00Z", "2026-03-27")] // midnight local (UTC+2)
    [InlineData("2026-03-26T21:59:59Z", "2026-03-26")]
    [InlineData("2026-07-01T21:00:00Z", "2026-07-02")] // midnight local (UTC+3)
    [InlineData("2026-07-01T20:59:59Z", "2026-07-01")]
    public void A_local_date_turns_at_local_midnight_in_both_seasons(string utc, string localDate) =>
        Assert.Equal(DateOnly.Parse(localDate), LocalTime.DateOf(DateTimeOffset.Parse(utc), Israel));

    [Theory]
    [InlineData("2026-03-27", "2026-03-26T22:00:00Z")] // the spring-forward day still starts at 00:00 (+02:00)
    [InlineData("2026-03-28", "2026-03-27T21:00:00Z")] // the first summer day (+03:00): the spring day was 23 hours
    [InlineData("2026-10-25", "2026-10-24T21:00:00Z")] // the fall-back day starts in summer time
    [InlineData("2026-10-26", "2026-10-25T22:00:00Z")] // and lasts 25 hours
    public void Local_midnight_in_UTC_follows_the_clock_changes(string date, string utc) =>
        Assert.Equal(DateTimeOffset.Parse(utc), LocalTime.MidnightUtc(DateOnly.Parse(date), Israel));

    [Fact]
    public void A_wall_clock_time_in_the_spring_gap_names_no_instant_and_one_in_the_repeated_hour_is_standard_time()
    {
        Assert.Null(LocalTime.InstantOf(new DateTime(2026, 3, 27, 2, 30, 0), Israel));
        Assert.Equal(DateTimeOffset.Parse("2026-03-27T00:30:00Z"), LocalTime.InstantOf(new DateTime(2026, 3, 27, 3, 30, 0), Israel));
        Assert.Equal(DateTimeOffset.Parse("2026-10-24T23:30:00Z"), LocalTime.InstantOf(new DateTime(2026, 10, 25, 1, 30, 0), Israel));
    }

    [Fact]
    public void Wall_clock_round_trips_outside_the_transitions()
    {
        var instant = DateTimeOffset.Parse("2026-11-30T06:15:00Z");
        var wallClock = LocalTime.WallClock(instant, Israel);
        Assert.Equal(new DateTime(2026, 11, 30, 8, 15, 0), wallClock);
        Assert.Equal(DateTimeKind.Unspecified, wallClock.Kind);
        Assert.Equal(instant, LocalTime.InstantOf(wallClock, Israel));
    }
}
