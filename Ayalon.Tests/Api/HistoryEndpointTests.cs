using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Ayalon.Tests.Api;

[Collection(HistoryCollection.Name)]
[Trait("Category", "Integration")]
public class HistoryEndpointTests(HistoryFixture history)
{
    private ApiHost Api => history.Api;

    private static double? Num(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetDouble();

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Default_history_is_the_last_24_hours_hourly_one_series_per_direction()
    {
        var h = await Api.GetJsonAsync("/api/impact/history");

        Assert.Equal("hour", h.GetProperty("granularity").GetString());
        Assert.Equal("Asia/Jerusalem", h.GetProperty("timeZone").GetString());
        Assert.Equal("2026-11-24T10:00:00.000Z", h.GetProperty("fromUtc").GetString());
        Assert.Equal("2026-11-25T10:00:00.000Z", h.GetProperty("toUtc").GetString());
        var series = h.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(2, series.Count);
        Assert.All(series, s =>
        {
            Assert.Equal("direction", s.GetProperty("kind").GetString());
            var points = s.GetProperty("points").EnumerateArray().ToList();
            Assert.Equal(24, points.Count);
            // Every hour but the last (whose final hold is still open, so not yet in a rollup) is fully observed.
            Assert.All(points.SkipLast(1), p =>
            {
                Assert.Equal(1.0, p.GetProperty("coverage").GetDouble(), 3);
                Assert.NotNull(Num(p, "meanDelaySeconds"));
                Assert.NotNull(Num(p, "vehicleHours")); // the simulator's synthetic demo profile
            });
            Assert.Contains(points, p => Num(p, "meanDelaySeconds") > 0); // the simulated peaks show up
        });
    }

    [Fact]
    public async Task Five_minute_buckets_from_observations_add_up_to_the_hourly_rollups()
    {
        var corridor = await Api.GetJsonAsync("/api/corridor");
        var ids = corridor.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("sectionId").GetString()!).ToList();
        var sections = string.Concat(ids.Select(id => "&section=" + id));
        var from = new DateTimeOffset(2026, 11, 24, 5, 0, 0, TimeSpan.Zero); // 07:00–10:00 local: the morning peak
        var to = from.AddHours(3);

        var fine = await Api.GetJsonAsync($"/api/impact/history?granularity=5m&from={Iso(from)}&to={Iso(to)}{sections}");
        var hourly = await Api.GetJsonAsync($"/api/impact/history?granularity=hour&from={Iso(from)}&to={Iso(to)}{sections}");

        foreach (var id in ids)
        {
            var f = fine.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("key").GetString() == id).GetProperty("points").EnumerateArray().ToList();
            var hr = hourly.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("key").GetString() == id).GetProperty("points").EnumerateArray().ToList();
            Assert.Equal(36, f.Count);
            Assert.Equal(3, hr.Count);
            for (var i = 0; i < 3; i++)
            {
                var part = f.Skip(i * 12).Take(12).ToList();
                var hour = hr[i];
                Assert.Equal(hour.GetProperty("observedSeconds").GetDouble(), part.Sum(p => p.GetProperty("observedSeconds").GetDouble()), 1);
                // ∫ d dt, rebuilt from rounded means (± 0.0005 s × observed seconds).
                var integral = Num(hour, "meanDelaySeconds")!.Value * hour.GetProperty("observedSeconds").GetDouble();
                Assert.InRange(part.Sum(p => (Num(p, "meanDelaySeconds") ?? 0) * p.GetProperty("observedSeconds").GetDouble()), integral - 4, integral + 4);
                Assert.Equal(Num(hour, "maxDelaySeconds"), part.Max(p => Num(p, "maxDelaySeconds")));
                Assert.Equal(hour.GetProperty("congestedSeconds").GetDouble(), part.Sum(p => p.GetProperty("congestedSeconds").GetDouble()), 1);
                Assert.Equal(Num(hour, "vehicleHours")!.Value, part.Sum(p => Num(p, "vehicleHours")!.Value), 2);
            }
        }
    }

    [Fact]
    public async Task Day_buckets_are_local_days_and_sum_their_hours()
    {
        // 2026-11-24 local (Tuesday) runs 2026-11-23T22:00Z – 2026-11-24T22:00Z and was observed throughout.
        var days = await Api.GetJsonAsync("/api/impact/history?granularity=day&from=2026-11-23T22:00:00Z&to=2026-11-24T22:00:00Z");
        var hours = await Api.GetJsonAsync("/api/impact/history?granularity=hour&from=2026-11-23T22:00:00Z&to=2026-11-24T22:00:00Z");

        foreach (var series in days.GetProperty("series").EnumerateArray())
        {
            var day = Assert.Single(series.GetProperty("points").EnumerateArray());
            Assert.Equal("2026-11-23T22:00:00.000Z", day.GetProperty("startUtc").GetString());
            Assert.True(day.GetProperty("coverage").GetDouble() > 0.999);
            var hourPoints = hours.GetProperty("series").EnumerateArray()
                .Single(s => s.GetProperty("key").GetString() == series.GetProperty("key").GetString()).GetProperty("points").EnumerateArray().ToList();
            Assert.Equal(24, hourPoints.Count);
            Assert.Equal(Num(day, "vehicleHours")!.Value, hourPoints.Sum(p => Num(p, "vehicleHours")!.Value), 2);
        }
    }

    [Fact]
    public async Task Csv_parses_back_to_the_same_numbers_as_json()
    {
        const string query = "granularity=hour&from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z";
        var json = await Api.GetJsonAsync("/api/impact/history?" + query);
        using var response = await Api.Client.GetAsync("/api/impact/history?format=csv&" + query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("ayalon-history-hour-20261124T0000Z-20261125T0000Z.csv", disposition.FileName!.Trim('"'));

        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal); // RFC 4180: every record ends with CRLF
        var lines = text[..^2].Split("\r\n");
        Assert.Equal("startUtc,series,kind,observedSeconds,coverage,meanDelaySeconds,maxDelaySeconds,congestedSeconds,vehicleHours," +
                     "usualDelaySeconds,usualLowDelaySeconds,usualHighDelaySeconds,usualWeeks,usualSamples", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var points = json.GetProperty("series").EnumerateArray()
            .SelectMany(s => s.GetProperty("points").EnumerateArray().Select(p => (Series: s, Point: p))).ToList();
        Assert.Equal(points.Count, rows.Count);
        string[] numeric = ["observedSeconds", "coverage", "meanDelaySeconds", "maxDelaySeconds", "congestedSeconds", "vehicleHours"];
        for (var i = 0; i < rows.Count; i++)
        {
            var (s, p) = points[i];
            Assert.Equal(p.GetProperty("startUtc").GetString(), rows[i][0]);
            Assert.Equal(s.GetProperty("key").GetString(), rows[i][1]);
            Assert.Equal(s.GetProperty("kind").GetString(), rows[i][2]);
            for (var c = 0; c < numeric.Length; c++)
            {
                double? fromCsv = rows[i][3 + c].Length == 0 ? null : double.Parse(rows[i][3 + c], CultureInfo.InvariantCulture);
                Assert.Equal(Num(p, numeric[c]), fromCsv);
            }
            var usual = p.GetProperty("usual");
            string[] usualNumeric = ["delaySeconds", "lowDelaySeconds", "highDelaySeconds", "weeks", "samples"];
            for (var c = 0; c < usualNumeric.Length; c++)
            {
                double? fromCsv = rows[i][9 + c].Length == 0 ? null : double.Parse(rows[i][9 + c], CultureInfo.InvariantCulture);
                Assert.Equal(Num(usual, usualNumeric[c]), fromCsv);
            }
        }
    }

    [Fact]
    public async Task Sections_and_direction_filter_the_series()
    {
        var corridor = await Api.GetJsonAsync("/api/corridor");
        var first = corridor.GetProperty("sections")[0];
        var direction = first.GetProperty("direction").GetString()!;
        var byDirection = await Api.GetJsonAsync("/api/impact/history?direction=" + direction);
        Assert.Equal(direction, Assert.Single(byDirection.GetProperty("series").EnumerateArray()).GetProperty("key").GetString());

        var id = first.GetProperty("sectionId").GetString()!;
        var bySection = await Api.GetJsonAsync($"/api/impact/history?section={id}&direction={direction}");
        var s = Assert.Single(bySection.GetProperty("series").EnumerateArray());
        Assert.Equal(id, s.GetProperty("key").GetString());
        Assert.Equal("section", s.GetProperty("kind").GetString());
    }
}
