using System.Globalization;
using System.Net;
using System.Text.Json;
using Ayalon.Core.Api;
using Microsoft.Extensions.Options;

namespace Ayalon.Tests.Api;

/// <summary>The one schedule service: cadence, occurrences, thresholds and max-age all follow Collector:Schedule.</summary>
[Trait("Category", "Unit")]
public class CycleScheduleTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    [Fact]
    public void The_five_minute_default_keeps_the_documented_thresholds()
    {
        var s = new CycleSchedule("0 */5 * * * *");

        Assert.Equal(TimeSpan.FromMinutes(5), s.Interval);
        Assert.Equal((600, 1800, 7200, 1200), (s.Freshness.HealthyBelow.TotalSeconds, s.Freshness.DegradedBelow.TotalSeconds,
            s.Freshness.StaleBelow.TotalSeconds, s.Freshness.CollectorSilentAfter.TotalSeconds));
    }

    [Fact]
    public void Every_ten_minutes_doubles_thresholds_and_max_age()
    {
        var s = new CycleSchedule("0 */10 * * * *");

        Assert.Equal(TimeSpan.FromMinutes(10), s.Interval);
        Assert.Equal((1200, 3600, 14400, 2400), (s.Freshness.HealthyBelow.TotalSeconds, s.Freshness.DegradedBelow.TotalSeconds,
            s.Freshness.StaleBelow.TotalSeconds, s.Freshness.CollectorSilentAfter.TotalSeconds));
        Assert.Equal(599, s.MaxAgeSeconds(At("2026-11-27T07:00:01Z")));
        Assert.Equal(299, new CycleSchedule("0 */5 * * * *").MaxAgeSeconds(At("2026-11-27T07:00:01Z")));
    }

    [Fact]
    public void Occurrences_slots_and_next_follow_the_expression()
    {
        var s = new CycleSchedule("0 */5 * * * *");

        Assert.Equal(At("2026-11-27T07:05:00Z"), s.NextAfter(At("2026-11-27T07:00:00Z")));
        Assert.Equal(At("2026-11-27T07:00:00Z"), s.SlotOf(At("2026-11-27T07:04:59.9Z")));
        Assert.Equal(At("2026-11-27T07:05:00Z"), s.SlotOf(At("2026-11-27T07:05:00Z")));
        Assert.Equal(13, s.OccurrencesBetween(At("2026-11-27T07:00:00Z"), At("2026-11-27T08:00:00Z")).Count()); // both ends included
        Assert.Equal(12, s.OccurrencesBetween(At("2026-11-27T07:00:01Z"), At("2026-11-27T08:00:00Z")).Count());
    }

    [Fact]
    public void A_schedule_that_pauses_at_night_has_its_pause_as_interval()
    {
        // Every 5 minutes from 06:00 to 21:55 UTC: the longest gap is 21:55 → 06:00.
        var s = new CycleSchedule("0 */5 6-21 * * *");
        Assert.Equal(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(5), s.Interval);
    }

    [Theory]
    [InlineData("every 5 minutes")]
    [InlineData("0 */5 * * *  * *")]
    [InlineData("61 * * * * *")]
    [InlineData("0 0 0 30 2 *")] // 30 February: never fires
    [InlineData("")]
    public void An_unusable_expression_is_refused_naming_the_setting(string expression)
    {
        var problem = CycleSchedule.Problem(expression);
        Assert.NotNull(problem);
        Assert.Contains("Collector:Schedule (app setting Collector__Schedule)", problem, StringComparison.Ordinal);
        Assert.Throws<InvalidScheduleException>(() => new CycleSchedule(expression));
        Assert.True(new CycleScheduleValidator().Validate(null, new Ayalon.Core.Collection.CollectorOptions { Schedule = expression }).Failed);
    }
}

/// <summary>The schedule drives the running app: health bands, max-age, expected cycles; a bad one stops the host.</summary>
[Trait("Category", "Integration")]
public class ScheduleDrivenApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task An_invalid_schedule_stops_the_host_at_start_naming_the_setting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => DevHostInstance.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Collector:Schedule"] = "every 5 minutes",
        }));
        Assert.Contains("Collector:Schedule (app setting Collector__Schedule) is 'every 5 minutes'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 */5 * * * *", 300, "degraded", 299, 12)]
    [InlineData("0 */10 * * * *", 600, "healthy", 599, 6)]
    public async Task Changing_the_schedule_changes_health_bands_max_age_and_expected_cycles(
        string schedule, double intervalSeconds, string statusAfter11Minutes, int maxAgeAfterOneSecond, int expectedInOneHour)
    {
        // 10:00:00Z is an occurrence of both schedules.
        await using var api = await ApiHost.StartAsync(azurite, new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero),
            new Dictionary<string, string?> { ["Collector:Schedule"] = schedule });
        await api.RunCycleAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(1));

        using (var impact = await api.Client.GetAsync("/api/impact"))
        {
            Assert.Equal(HttpStatusCode.OK, impact.StatusCode);
            Assert.Equal(maxAgeAfterOneSecond, (int)impact.Headers.CacheControl!.MaxAge!.Value.TotalSeconds);
        }
        using (var history = await api.Client.GetAsync("/api/impact/history"))
        {
            Assert.Equal(maxAgeAfterOneSecond, (int)history.Headers.CacheControl!.MaxAge!.Value.TotalSeconds);
        }

        api.Clock.Advance(TimeSpan.FromMinutes(11));
        var health = await api.GetJsonAsync("/api/health");
        Assert.Equal(statusAfter11Minutes, health.GetProperty("status").GetString());
        var freshness = health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "freshness");
        Assert.Contains(FormattableString.Invariant($"healthy below {2 * intervalSeconds:0} s"), freshness.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // One hour after the only cycle: every occurrence since its slot is expected, only the first one ran.
        api.Clock.Advance(TimeSpan.FromMinutes(49) - TimeSpan.FromSeconds(1));
        var s = (await api.GetJsonAsync("/api/analytics")).GetProperty("schedule");
        Assert.Equal(schedule, s.GetProperty("expression").GetString());
        Assert.Equal(intervalSeconds, s.GetProperty("intervalSeconds").GetDouble());
        Assert.Equal("2026-11-23T10:00:00.000Z", s.GetProperty("fromUtc").GetString());
        Assert.Equal(expectedInOneHour, s.GetProperty("expectedCycles").GetInt32());
        Assert.Equal(1, s.GetProperty("ranCycles").GetInt32());
        Assert.Equal(0, s.GetProperty("skippedCycles").GetInt32());
        Assert.Equal(expectedInOneHour - 1, s.GetProperty("missedCycles").GetInt32());
        Assert.Equal(Math.Round(100.0 / expectedInOneHour, 2), s.GetProperty("adherencePercent").GetDouble());
    }
}
