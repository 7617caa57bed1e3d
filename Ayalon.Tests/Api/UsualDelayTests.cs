using System.Globalization;
using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.ReadModels;
using Ayalon.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Api;

/// <summary>
/// "Now vs usual" on a fake clock, from eight synthetic weeks of hourly rollups written to Azurite in the collector's
/// own format. The clock stands on Wednesday 2026-11-25 10:05 Tel Aviv time (08:05Z, winter); four of the eight
/// weeks before it fall in summer time (before 2026-10-25), where local 10:00 is 07:00Z — the usual must follow
/// the local hour of the week, not the UTC one.
/// </summary>
[Trait("Category", "Integration")]
public class UsualDelayTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 5, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Hour = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Week k (1 = last week) gets Order[k − 1] as its value, so the written order is not the sorted order.</summary>
    private static readonly int[] Order = [5, 1, 8, 3, 7, 2, 6, 4];

    private static string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Northbound: section j (0, 1, 2) has mean delay (j + 1) × value in each of the 8 weeks, observed 2,400 s of the
    /// hour — except the middle section in week 3 (value 8), observed only 1,200 s, less than half the hour, so that
    /// week drops out of that section and of the direction. Southbound: only weeks 1 and 2 have data. Decoys at 08:00Z
    /// in the summer weeks (local 11:00) carry 1,000 s of delay.
    /// </summary>
    private static async Task SeedAsync(IServiceProvider services)
    {
        var corridor = services.GetRequiredService<CorridorDefinition>();
        var store = services.GetRequiredService<RollupStore>();
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Jerusalem");
        var north = corridor.InDirection("northbound");
        var south = corridor.InDirection("southbound");
        var items = new List<SectionHourContribution>();
        void Add(string section, DateTimeOffset hourUtc, double meanDelay, double observed) =>
            items.Add(new SectionHourContribution(section, hourUtc.AddHours(1),
                new HourContribution(hourUtc, observed, meanDelay * observed, null, 0, meanDelay, meanDelay)));

        var localTen = TimeZoneInfo.ConvertTime(Hour, zone).DateTime;
        for (var k = 1; k <= 8; k++)
        {
            var hour = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(localTen.AddDays(-7 * k), DateTimeKind.Unspecified), zone), TimeSpan.Zero);
            for (var j = 0; j < north.Count; j++)
            {
                Add(north[j].Id, hour, (j + 1) * Order[k - 1], j == 1 && k == 3 ? 1200 : 2400);
            }
            if (k <= 2) foreach (var s in south) Add(s.Id, hour, 40, 3600);
            if (hour.Hour != Hour.Hour) foreach (var s in north) Add(s.Id, Hour.AddDays(-7 * k), 1000, 3600);
        }
        await store.ApplyAsync(items, CancellationToken.None);
    }

    private async Task<ApiHost> StartAsync()
    {
        // Past hours are written after start, which the collector never does: no warm-up caching them as empty first.
        var api = await ApiHost.StartAsync(azurite, Now, new Dictionary<string, string?> { [RollupCacheWarmup.EnabledSetting] = "false" });
        await SeedAsync(api.Services);
        await api.RunCycleAsync();
        return api;
    }

    private static void AssertUsual(JsonElement usual, double median, double low, double high, int weeks, int samples)
    {
        Assert.Equal("available", usual.GetProperty("status").GetString());
        Assert.Equal(median, usual.GetProperty("delaySeconds").GetDouble(), 6);
        Assert.Equal(low, usual.GetProperty("lowDelaySeconds").GetDouble(), 6);
        Assert.Equal(high, usual.GetProperty("highDelaySeconds").GetDouble(), 6);
        Assert.Equal(weeks, usual.GetProperty("weeks").GetInt32());
        Assert.Equal(samples, usual.GetProperty("samples").GetInt32());
        Assert.Equal(JsonValueKind.Null, usual.GetProperty("reason").ValueKind);
    }

    private static void AssertUnavailable(JsonElement usual, int weeks)
    {
        Assert.Equal("unavailable", usual.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, usual.GetProperty("delaySeconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, usual.GetProperty("differenceSeconds").ValueKind);
        Assert.Equal(weeks, usual.GetProperty("weeks").GetInt32());
        Assert.Contains($"{weeks} of the last 8 weeks", usual.GetProperty("reason").GetString());
        Assert.Contains("at least 3", usual.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Impact_sends_the_median_of_the_same_local_hour_of_week_and_unavailable_below_three_weeks()
    {
        await using var api = await StartAsync();
        var corridor = api.Services.GetRequiredService<CorridorDefinition>();
        var impact = await api.GetJsonAsync("/api/impact");

        // Direction: the weeks with all three sections observed long enough: 6 × {5, 1, 3, 7, 2, 6, 4} (week 3 dropped).
        // Sorted 6, 12, 18, 24, 30, 36, 42: median 24, quartiles (h = 1.5, 4.5) 15 and 33; 7 weeks × 3 section-hours.
        var directions = impact.GetProperty("directions").EnumerateArray().ToDictionary(d => d.GetProperty("direction").GetString()!);
        var north = directions["northbound"];
        Assert.Equal("ok", north.GetProperty("state").GetString());
        AssertUsual(north.GetProperty("usual"), 24, 15, 33, 7, 21);
        Assert.Equal(north.GetProperty("delaySeconds").GetDouble() - 24, north.GetProperty("usual").GetProperty("differenceSeconds").GetDouble(), 3);
        AssertUnavailable(directions["southbound"].GetProperty("usual"), 2);

        // Sections: the first has all 8 weeks ({1..8}: median 4.5, quartiles 2.75 and 6.25); the middle one 7, ×2.
        var sections = impact.GetProperty("sections").EnumerateArray().ToDictionary(s => s.GetProperty("sectionId").GetString()!);
        var n = corridor.InDirection("northbound");
        AssertUsual(sections[n[0].Id].GetProperty("usual"), 4.5, 2.75, 6.25, 8, 8);
        AssertUsual(sections[n[1].Id].GetProperty("usual"), 8, 5, 11, 7, 7);
        AssertUsual(sections[n[2].Id].GetProperty("usual"), 13.5, 8.25, 18.75, 8, 8);
        foreach (var s in corridor.InDirection("southbound")) AssertUnavailable(sections[s.Id].GetProperty("usual"), 2);
    }

    [Fact]
    public async Task History_json_and_csv_carry_the_usual_of_each_hour_and_five_minute_buckets_that_of_their_hour()
    {
        await using var api = await StartAsync();
        var range = $"from={Iso(Hour.AddHours(-1))}&to={Iso(Hour.AddHours(1))}";
        var hourly = await api.GetJsonAsync($"/api/impact/history?granularity=hour&{range}");
        var series = hourly.GetProperty("series").EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!);
        var points = series["northbound"].GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(2, points.Count);
        AssertUnavailable(points[0].GetProperty("usual"), 0); // 09:00 local: nothing seeded
        AssertUsual(points[1].GetProperty("usual"), 24, 15, 33, 7, 21);
        AssertUnavailable(series["southbound"].GetProperty("points")[1].GetProperty("usual"), 2);

        var fine = await api.GetJsonAsync($"/api/impact/history?granularity=5m&from={Iso(Hour)}&to={Iso(Hour.AddMinutes(10))}&direction=northbound");
        Assert.All(fine.GetProperty("series")[0].GetProperty("points").EnumerateArray(), p => AssertUsual(p.GetProperty("usual"), 24, 15, 33, 7, 21));

        var csv = (await api.Client.GetStringAsync($"/api/impact/history?granularity=hour&{range}&format=csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = csv[0].Split(',');
        Assert.Equal(HistoryService.CsvHeader, csv[0]);
        var row = csv.Single(l => l.StartsWith(Iso(Hour).Replace("Z", ".000Z", StringComparison.Ordinal) + ",northbound,", StringComparison.Ordinal)).Split(',');
        string Field(string name) => row[Array.IndexOf(header, name)];
        Assert.Equal("24", Field("usualDelaySeconds"));
        Assert.Equal("15", Field("usualLowDelaySeconds"));
        Assert.Equal("33", Field("usualHighDelaySeconds"));
        Assert.Equal("7", Field("usualWeeks"));
        Assert.Equal("21", Field("usualSamples"));
        var south = csv.Single(l => l.StartsWith(Iso(Hour).Replace("Z", ".000Z", StringComparison.Ordinal) + ",southbound,", StringComparison.Ordinal)).Split(',');
        Assert.Equal("", south[Array.IndexOf(header, "usualDelaySeconds")]);
        Assert.Equal("2", south[Array.IndexOf(header, "usualWeeks")]);
    }

    [Fact]
    public async Task Usual_is_computed_once_per_bucket_and_then_served_without_reading_storage()
    {
        await using var api = await StartAsync();
        var usual = api.Services.GetRequiredService<UsualDelayService>();
        var first = await usual.ForHourAsync(Hour, CancellationToken.None);
        // Remove the stored weeks: a kept answer does not read them again.
        var table = await api.Services.GetRequiredService<AyalonTables>().GetAsync(AyalonTables.HourlyRollups);
        await foreach (var e in table.QueryAsync<Azure.Data.Tables.TableEntity>()) await table.DeleteEntityAsync(e.PartitionKey, e.RowKey);
        var again = await usual.ForHourAsync(Hour, CancellationToken.None);
        Assert.Same(first, again);
        Assert.Equal(24, again.Direction("northbound").DelaySeconds);
    }
}

/// <summary>The arithmetic of "usual", with no I/O.</summary>
[Trait("Category", "Unit")]
public class UsualDelayRuleTests
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Jerusalem");

    [Theory]
    [InlineData(new double[] { 3 }, 0.5, 3)]
    [InlineData(new double[] { 1, 2, 3 }, 0.5, 2)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.5, 2.5)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.25, 1.75)]
    [InlineData(new double[] { 10, 20, 30, 40, 50, 60, 70, 80 }, 0.75, 62.5)]
    public void Percentile_interpolates_between_closest_ranks(double[] sorted, double p, double expected) =>
        Assert.Equal(expected, UsualDelayService.Percentile(sorted, p), 9);

    [Fact]
    public void Past_weeks_keep_the_local_hour_across_the_autumn_clock_change()
    {
        // Wednesday 2026-11-04 10:00 local = 08:00Z (winter). 2 weeks back (Oct 21) is summer time: 10:00 local = 07:00Z.
        var weeks = UsualDelayService.PastWeeks(new DateTimeOffset(2026, 11, 4, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 4, 9, 0, 0, TimeSpan.Zero), Zone);
        Assert.Equal(8, weeks.Count);
        Assert.Equal(new DateTimeOffset(2026, 10, 28, 8, 0, 0, TimeSpan.Zero), weeks[0].A);
        Assert.Equal(new DateTimeOffset(2026, 10, 21, 7, 0, 0, TimeSpan.Zero), weeks[1].A);
        Assert.All(weeks, w => Assert.Equal(TimeSpan.FromHours(1), w.B - w.A));
    }

    [Fact]
    public void A_week_where_the_local_hour_did_not_exist_has_no_bucket()
    {
        // Israel springs forward on Friday 2026-03-27 at 02:00 (02:00–03:00 local does not exist). A week later,
        // Friday 2026-04-03 02:00 local (+3) = 23:00Z on the 2nd: its week 1 has no such hour.
        var weeks = UsualDelayService.PastWeeks(new DateTimeOffset(2026, 4, 2, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 4, 3, 0, 0, 0, TimeSpan.Zero), Zone);
        Assert.Equal(7, weeks.Count);
        Assert.DoesNotContain(weeks, w => w.A.Day == 27 && w.A.Month == 3);
    }

    [Fact]
    public void Difference_is_the_value_minus_the_median_and_absent_without_either()
    {
        var usual = new UsualDelay(UsualDelay.Available, 100, 80, 120, 5, 15, null, null);
        Assert.Equal(30, usual.ComparedWith(130).DifferenceSeconds);
        Assert.Equal(-20, usual.ComparedWith(80).DifferenceSeconds);
        Assert.Null(usual.ComparedWith(null).DifferenceSeconds);
        Assert.Null(UsualDelay.Missing("x").ComparedWith(50).DifferenceSeconds);
    }
}
