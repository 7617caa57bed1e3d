using System.Text.Json;

namespace Ayalon.Tests.Api;

[Collection(HistoryCollection.Name)]
[Trait("Category", "Integration")]
public class AnalyticsEndpointTests(HistoryFixture history)
{
    private ApiHost Api => history.Api;

    [Fact]
    public async Task Analytics_over_24_hours_counts_persisted_cycles_calls_latency_coverage_and_uptime()
    {
        var a = await Api.GetJsonAsync("/api/analytics?window=24h");

        Assert.Equal("24h", a.GetProperty("window").GetString());
        Assert.Equal("2026-11-24T10:00:00.000Z", a.GetProperty("fromUtc").GetString());
        Assert.Equal("2026-11-25T10:00:00.000Z", a.GetProperty("toUtc").GetString());
        var cycles = a.GetProperty("cycles");
        Assert.Equal(144, cycles.GetProperty("total").GetInt32()); // every 10 minutes for 24 h
        Assert.Equal(144, cycles.GetProperty("byStatus").GetProperty("ok").GetInt32());
        Assert.Equal(0, cycles.GetProperty("byStatus").GetProperty("failed").GetInt32());
        Assert.Equal(1.0, cycles.GetProperty("successRate").GetDouble());

        var calls = a.GetProperty("providerCalls");
        Assert.True(calls.GetProperty("total").GetInt32() >= 144);
        Assert.Equal(calls.GetProperty("total").GetInt32(), calls.GetProperty("byStatus").GetProperty("ok").GetInt32());

        // Every configured provider (default order here, tomtom), each on its own period row.
        var quotas = a.GetProperty("quotas").EnumerateArray().ToList();
        Assert.Equal(["here", "tomtom"], quotas.Select(q => q.GetProperty("provider").GetString()));
        var quota = quotas[0]; // the simulator answers HERE, the first provider: TomTom is never asked
        Assert.Equal(2500, quota.GetProperty("limit").GetInt32());
        Assert.True(quota.GetProperty("used").GetInt32() > 0);
        Assert.Equal(quota.GetProperty("limit").GetInt32() - quota.GetProperty("used").GetInt32(), quota.GetProperty("remaining").GetInt32());
        Assert.Equal("day-2026-11-25", quota.GetProperty("period").GetString());
        Assert.False(quota.GetProperty("pacing").GetBoolean()); // daily: not paced unless configured
        Assert.Equal(2500, quota.GetProperty("allowedByNow").GetInt32());
        Assert.Equal(34.6, quota.GetProperty("pacedIntervalSeconds").GetDouble()); // 86,400 s / 2,500
        Assert.Equal(0, quotas[1].GetProperty("used").GetInt32());

        var latency = a.GetProperty("latencyMs");
        Assert.True(latency.GetProperty("cycleP95").GetDouble() >= latency.GetProperty("cycleP50").GetDouble());
        Assert.True(latency.GetProperty("providerP95").GetDouble() >= latency.GetProperty("providerP50").GetDouble());

        var coverage = a.GetProperty("coverage");
        Assert.Equal(1.0, coverage.GetProperty("sectionsMeasuredRate").GetDouble());
        Assert.True(coverage.GetProperty("meanSectionCoverage").GetDouble() > 0.98);

        // A cycle every 10 minutes fills every other 5-minute slot.
        var uptime = a.GetProperty("uptime");
        Assert.Equal("2026-11-24T10:05:00.000Z", uptime.GetProperty("firstCycleUtc").GetString());
        Assert.Equal(50.0, uptime.GetProperty("uptimePercent").GetDouble(), 0);
    }

    [Fact]
    public async Task Analytics_over_7_days_sees_the_whole_history_and_30_days_the_same()
    {
        var week = await Api.GetJsonAsync("/api/analytics?window=7d");
        var month = await Api.GetJsonAsync("/api/analytics?window=30d");
        Assert.Equal(HistoryFixture.Cycles, week.GetProperty("cycles").GetProperty("total").GetInt32());
        Assert.Equal(HistoryFixture.Cycles, month.GetProperty("cycles").GetProperty("total").GetInt32());
        Assert.Equal("2026-11-23T10:05:00.000Z", week.GetProperty("uptime").GetProperty("firstCycleUtc").GetString());
        Assert.Equal(JsonValueKind.Number, week.GetProperty("uptime").GetProperty("sinceFirstCycleSeconds").ValueKind);
        Assert.Equal(HistoryFixture.Cycles, (await Api.GetJsonAsync("/api/analytics")).GetProperty("cycles").GetProperty("total").GetInt32() * 2);
    }
}
