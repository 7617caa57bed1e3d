// ============================================================================================================
// TEST-ONLY STAND-IN for the HTTP API contract (Step 4, built on another branch). DELETE THIS FOLDER once that
// branch is merged: DashboardHost already switches it off by itself when the Functions assembly has an
// "api/analytics" route, so the browser tests then run against the real API unchanged.
//
// It answers the routes the dashboard reads, in the contract's shape, from the same persisted data the real API
// uses (latest state, cycles, hourly rollups, quota ledger) — so the page shows real simulator numbers, ages grow
// with the (fake) clock, and no-coverage cycles show up. It is a sketch of the contract, not its implementation:
// no validation of query input beyond what the page sends, no error shape.
// It also adds the Content-Security-Policy the real hosts will send, so a CSP violation fails the browser tests now.
// ============================================================================================================
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ayalon.Core.Api;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ayalon.Tests.Browser.ContractStub;

public sealed class ApiContractStub : IStartupFilter
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

    private static readonly TimeZoneInfo Israel = TimeZoneInfo.FindSystemTimeZoneById("Asia/Jerusalem");

    public static void Register(IServiceCollection services) => services.AddSingleton<IStartupFilter, ApiContractStub>();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (!path.StartsWith("/api/", StringComparison.Ordinal))
            {
                context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            }
            var handled = path switch
            {
                "/api/corridor" => await Corridor(context),
                "/api/impact" => await Impact(context),
                "/api/impact/history" => await History(context),
                "/api/analytics" => await Analytics(context),
                _ => false,
            };
            if (!handled) await nextMiddleware(context);
        });
        next(app);
    };

    private static T Get<T>(HttpContext c) where T : notnull => c.RequestServices.GetRequiredService<T>();

    private static async Task<bool> Corridor(HttpContext c)
    {
        var corridor = Get<CorridorDefinition>(c);
        await WriteJson(c, new
        {
            name = corridor.Name,
            license = corridor.License,
            attribution = corridor.Attribution,
            sections = corridor.Sections.Select(s => new
            {
                sectionId = s.Id, direction = s.Direction, from = s.From, to = s.To, lengthMeters = s.LengthMeters,
                meanBearingDeg = s.MeanBearingDeg, geometry = s.Geometry.Select(p => new[] { p.LatitudeDeg, p.LongitudeDeg }),
            }),
        }, etag: null);
        return true;
    }

    private static async Task<bool> Impact(HttpContext c)
    {
        var corridor = Get<CorridorDefinition>(c);
        var settings = Get<ImpactSettings>(c);
        var now = Get<TimeProvider>(c).GetUtcNow();
        var latest = await Get<LatestStateStore>(c).ReadAsync(c.RequestAborted);
        var sections = corridor.Sections.Select(s =>
        {
            latest.Sections.TryGetValue(s.Id, out var r);
            var age = r is null ? (double?)null : (now - r.ObservedAtUtc).TotalSeconds;
            var state = r is null ? "none" : r.State != "ok" ? r.State : age < 600 ? "current" : age < 1800 ? "stale" : "old";
            return new
            {
                sectionId = s.Id, direction = s.Direction, from = s.From, to = s.To, lengthMeters = s.LengthMeters, state,
                observedAtUtc = r?.ObservedAtUtc, ageSeconds = age, travelTimeSeconds = r?.TravelTimeSeconds,
                freeFlowTimeSeconds = r?.FreeFlowTimeSeconds, delaySeconds = r?.DelaySeconds, speedKmh = r?.SpeedKmh,
                freeFlowSpeedKmh = r?.FreeFlowSpeedKmh, coverage = r?.Coverage ?? 0, congested = r?.Congested ?? false,
                cycleId = r?.CycleId,
            };
        }).ToList();

        var directions = corridor.Directions.Select(d =>
        {
            var parts = sections.Where(s => s.direction == d).ToList();
            var complete = parts.All(p => p.delaySeconds is not null) && parts.Select(p => p.cycleId).Distinct().Count() == 1;
            var length = parts.Sum(p => p.lengthMeters);
            var travel = complete ? parts.Sum(p => p.travelTimeSeconds!.Value) : (double?)null;
            var free = complete ? parts.Sum(p => p.freeFlowTimeSeconds!.Value) : (double?)null;
            var delay = complete ? parts.Sum(p => p.delaySeconds!.Value) : (double?)null;
            return new
            {
                direction = d, from = parts[0].from, to = parts[^1].to, lengthMeters = length,
                state = complete ? "ok" : parts.Any(p => p.delaySeconds is not null) ? "incomplete" : "none",
                reason = complete ? null : "not every section has a value from the same cycle",
                observedAtUtc = complete ? parts.Max(p => p.observedAtUtc) : null,
                travelTimeSeconds = travel, freeFlowTimeSeconds = free, delaySeconds = delay,
                speedKmh = travel > 0 ? length / travel * 3.6 : null,
                congested = complete && delay / free > 0.25,
            };
        }).ToList();

        var newest = latest.Sections.Values.Where(r => r.State == "ok").Select(r => (DateTimeOffset?)r.ObservedAtUtc).Max();
        var dataAge = newest is null ? (double?)null : (now - newest.Value).TotalSeconds;
        var dataStatus = dataAge is null ? "empty" : dataAge < 600 ? "healthy" : dataAge < 1800 ? "degraded" : dataAge < 7200 ? "stale" : "collector_down";

        // Today since local midnight (Israel's offset is whole hours, so it starts on a UTC hour rollup).
        var localNow = TimeZoneInfo.ConvertTime(now, Israel);
        var midnightLocal = new DateTime(localNow.Year, localNow.Month, localNow.Day, 0, 0, 0, DateTimeKind.Unspecified);
        var fromUtc = new DateTimeOffset(midnightLocal, Israel.GetUtcOffset(midnightLocal)).ToUniversalTime();
        var hours = await Get<RollupStore>(c).ReadAsync(fromUtc, now.AddHours(1), corridor.Sections.Select(s => s.Id).ToList(), c.RequestAborted);
        var byDirection = corridor.Directions.Select(d =>
        {
            var ids = corridor.InDirection(d).Select(s => s.Id).ToHashSet();
            var rows = hours.Where(h => ids.Contains(h.SectionId)).ToList();
            var observed = ids.Count == 0 ? 0 : rows.Sum(h => h.ObservedSeconds) / ids.Count;
            var vehicleSeconds = rows.Any(h => h.VehicleDelaySeconds is not null) ? rows.Sum(h => h.VehicleDelaySeconds ?? 0) : (double?)null;
            return new
            {
                direction = d, observedSeconds = observed,
                coverage = Math.Min(1, observed / Math.Max(1, (now - fromUtc).TotalSeconds)),
                meanDelaySeconds = rows.Sum(h => h.ObservedSeconds) > 0 ? rows.Sum(h => h.DelayIntegralSecondsSquared) / rows.Sum(h => h.ObservedSeconds) * ids.Count : (double?)null,
                maxDelaySeconds = rows.Select(h => h.MaxDelaySeconds).Max(),
                congestedSeconds = ids.Count == 0 ? 0 : rows.Sum(h => h.CongestedSeconds) / ids.Count,
                vehicleHours = vehicleSeconds / 3600,
            };
        }).ToList();
        var profile = settings.VolumeProfile;
        var price = settings.FuelPrice;
        var vehicleHours = profile is null ? (double?)null : byDirection.Sum(d => d.vehicleHours ?? 0);
        var fuel = vehicleHours * 0.8 * 1.5;
        var observedToday = byDirection.Count == 0 ? 0 : byDirection.Average(d => d.observedSeconds);

        var last = latest.LastCycle;
        var lastOk = latest.LastSuccessfulCycle;
        var body = new
        {
            generatedAtUtc = now,
            methodologyVersion = settings.Constants.MethodologyVersion,
            constantsVersion = settings.Constants.ConstantsVersion,
            nextCycleUtc = NextFiveMinutes(now),
            dataStatus,
            directions,
            sections,
            today = new
            {
                localDate = localNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), timeZone = "Asia/Jerusalem",
                fromUtc, toUtc = now, observedSeconds = observedToday,
                coverage = Math.Min(1, observedToday / Math.Max(1, (now - fromUtc).TotalSeconds)),
                byDirection,
                impact = new
                {
                    available = profile is not null,
                    unavailableReason = settings.VehicleHoursUnavailableReason,
                    vehicleHours, fuelLitres = fuel, co2Kg = fuel * 2.31,
                    fuelCostIls = price is null ? null : fuel * price.IlsPerLitre,
                    fuelCostUnavailableReason = price is null ? "no fuel price is configured (Impact:FuelPriceIlsPerLitre)" : null,
                    timeValueIls = vehicleHours * 62.5,
                    volumeSource = profile?.Source, volumeIsSynthetic = profile?.IsSynthetic ?? false,
                    label = profile?.IsSynthetic == true ? "synthetic demo profile — not measured" : null,
                },
            },
            sources = new
            {
                traffic = new
                {
                    provider = last?.Provider ?? lastOk?.Provider, status = last?.ProviderStatus, message = last?.Message,
                    lastFetchUtc = last?.FinishedAtUtc, lastCycleId = last?.CycleId, lastCycleStatus = last?.Status,
                },
                fuelPrice = price is null ? null : new { ilsPerLitre = price.IlsPerLitre, source = price.Source, month = price.Month },
                volumeProfile = profile is null ? null : new { source = profile.Source, citation = profile.Citation, synthetic = profile.IsSynthetic },
                geometry = corridor.License,
            },
            provenance = new
            {
                provider = lastOk?.Provider,
                trackingIds = latest.Sections.Values.Select(r => r.TrackingIds).Where(x => !string.IsNullOrEmpty(x)).Distinct().Take(6).ToList(),
                lastCycleId = last?.CycleId,
                newestObservationUtc = newest,
            },
        };
        // Changes with new data and with every state change (current → stale → old), not with the clock alone.
        var etag = Hash($"{last?.CycleId}|{newest:O}|{dataStatus}|{string.Join(',', sections.Select(x => x.state))}|{localNow:yyyyMMdd}");
        await WriteJson(c, body, etag);
        return true;
    }

    private static DateTimeOffset NextFiveMinutes(DateTimeOffset now)
    {
        var t = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute - now.Minute % 5, 0, TimeSpan.Zero);
        return t.AddMinutes(5);
    }

    private static async Task<bool> History(HttpContext c)
    {
        var corridor = Get<CorridorDefinition>(c);
        var q = c.Request.Query;
        var from = DateTimeOffset.Parse(q["from"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var to = DateTimeOffset.Parse(q["to"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var granularity = q["granularity"].FirstOrDefault() ?? "hour";
        var hours = await Get<RollupStore>(c).ReadAsync(from, to, corridor.Sections.Select(s => s.Id).ToList(), c.RequestAborted);
        DateTimeOffset Bucket(DateTimeOffset h)
        {
            if (granularity != "day") return h;
            var local = TimeZoneInfo.ConvertTime(h, Israel);
            var midnight = new DateTime(local.Year, local.Month, local.Day, 0, 0, 0, DateTimeKind.Unspecified);
            return new DateTimeOffset(midnight, Israel.GetUtcOffset(midnight)).ToUniversalTime();
        }
        object Point(DateTimeOffset start, IReadOnlyList<SectionHour> rows, int sections)
        {
            var observed = rows.Sum(r => r.ObservedSeconds) / sections;
            var span = granularity == "day" ? 86400.0 : 3600.0;
            return new
            {
                startUtc = start, observedSeconds = observed, coverage = Math.Min(1, observed / span),
                meanDelaySeconds = rows.Sum(r => r.ObservedSeconds) > 0 ? rows.Sum(r => r.DelayIntegralSecondsSquared) / rows.Sum(r => r.ObservedSeconds) * sections : (double?)null,
                maxDelaySeconds = rows.Select(r => r.MaxDelaySeconds).Max(),
                congestedSeconds = rows.Sum(r => r.CongestedSeconds) / sections,
                vehicleHours = rows.Any(r => r.VehicleDelaySeconds is not null) ? rows.Sum(r => r.VehicleDelaySeconds ?? 0) / 3600 : (double?)null,
            };
        }
        var series = new List<(string Key, string Kind, List<object> Points)>();
        foreach (var d in corridor.Directions)
        {
            var ids = corridor.InDirection(d).Select(s => s.Id).ToHashSet();
            var points = hours.Where(h => ids.Contains(h.SectionId)).GroupBy(h => Bucket(h.HourStartUtc)).OrderBy(g => g.Key)
                .Select(g => Point(g.Key, g.ToList(), ids.Count)).ToList();
            series.Add((d, "direction", points));
        }
        foreach (var s in corridor.Sections)
        {
            var points = hours.Where(h => h.SectionId == s.Id).GroupBy(h => Bucket(h.HourStartUtc)).OrderBy(g => g.Key)
                .Select(g => Point(g.Key, g.ToList(), 1)).ToList();
            series.Add((s.Id, "section", points));
        }
        var etag = Hash(JsonSerializer.Serialize(series.Select(x => x.Points), AyalonJson.Options) + from.ToString("O") + to.ToString("O") + granularity);
        if (q["format"] == "csv")
        {
            var csv = new StringBuilder("startUtc,series,kind,observedSeconds,coverage,meanDelaySeconds,maxDelaySeconds,congestedSeconds,vehicleHours\n");
            foreach (var (key, kind, points) in series)
            {
                foreach (var p in points)
                {
                    var e = JsonSerializer.SerializeToElement(p, AyalonJson.Options);
                    string F(string n) => e.GetProperty(n).ValueKind == JsonValueKind.Null ? "" : e.GetProperty(n).GetRawText().Trim('"');
                    csv.Append(CultureInfo.InvariantCulture, $"{F("startUtc")},{key},{kind},{F("observedSeconds")},{F("coverage")},{F("meanDelaySeconds")},{F("maxDelaySeconds")},{F("congestedSeconds")},{F("vehicleHours")}\n");
                }
            }
            c.Response.ContentType = "text/csv; charset=utf-8";
            c.Response.Headers.ContentDisposition = "attachment; filename=\"ayalon-history.csv\"";
            await c.Response.WriteAsync(csv.ToString());
            return true;
        }
        await WriteJson(c, new
        {
            fromUtc = from, toUtc = to, granularity, timeZone = "Asia/Jerusalem",
            series = series.Select(x => new { key = x.Key, kind = x.Kind, points = x.Points }),
        }, etag);
        return true;
    }

    private static async Task<bool> Analytics(HttpContext c)
    {
        var now = Get<TimeProvider>(c).GetUtcNow();
        var window = c.Request.Query["window"].FirstOrDefault() ?? "24h";
        var from = now - (window switch { "7d" => TimeSpan.FromDays(7), "30d" => TimeSpan.FromDays(30), _ => TimeSpan.FromHours(24) });
        var cycles = await Get<CycleStore>(c).ReadAsync(from, now.AddSeconds(1), c.RequestAborted);
        var provider = cycles.LastOrDefault()?.Provider ?? "tomtom";
        var quota = await Get<QuotaLedger>(c).GetStatusAsync(provider, c.RequestAborted);
        var period = Get<IOptionsMonitor<QuotaOptions>>(c).CurrentValue.Period.ToString().ToLowerInvariant();
        int Count(string s) => cycles.Count(x => x.Status == s);
        var counted = cycles.Count(x => x.Status != CycleStatus.Skipped);
        var durations = cycles.Select(x => x.DurationMs).Order().ToList();
        double? P(double p) => durations.Count == 0 ? null : durations[(int)Math.Min(durations.Count - 1, Math.Floor(p * durations.Count))];
        var calls = cycles.SelectMany(x => x.Attempts).ToList();
        await WriteJson(c, new
        {
            window, fromUtc = from, toUtc = now,
            cycles = new
            {
                total = cycles.Count,
                byStatus = new { ok = Count(CycleStatus.Ok), partial = Count(CycleStatus.Partial), failed = Count(CycleStatus.Failed), skipped = Count(CycleStatus.Skipped) },
                successRate = counted == 0 ? (double?)null : (double)Count(CycleStatus.Ok) / counted,
            },
            providerCalls = new { total = calls.Count, byStatus = calls.GroupBy(a => a.Status).ToDictionary(g => g.Key, g => g.Count()) },
            quota = new { provider, period, limit = quota.Limit, used = quota.Reserved, remaining = quota.Remaining, usedPercent = quota.UsedPercent, alert = quota.Alert },
            latencyMs = new { cycleP50 = P(0.5), cycleP95 = P(0.95), providerP50 = (double?)null, providerP95 = (double?)null },
            coverage = new
            {
                meanSectionCoverage = cycles.Count == 0 ? (double?)null : cycles.Average(x => x.SectionsTotal == 0 ? 0 : (double)x.SectionsMeasured / x.SectionsTotal),
                sectionsMeasuredRate = cycles.Count == 0 ? (double?)null : cycles.Average(x => x.SectionsTotal == 0 ? 0 : (double)x.SectionsMeasured / x.SectionsTotal),
            },
            uptime = new
            {
                firstCycleUtc = cycles.FirstOrDefault()?.StartedAtUtc,
                sinceFirstCycleSeconds = cycles.Count == 0 ? (double?)null : (now - cycles[0].StartedAtUtc).TotalSeconds,
                uptimePercent = counted == 0 ? (double?)null : 100.0 * Count(CycleStatus.Ok) / counted,
            },
        }, etag: null);
        return true;
    }

    private static string Hash(string text) => "\"" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..20] + "\"";

    private static async Task WriteJson(HttpContext c, object body, string? etag)
    {
        if (etag is not null)
        {
            c.Response.Headers.ETag = etag;
            c.Response.Headers.CacheControl = "max-age=0, must-revalidate";
            if (c.Request.Headers.IfNoneMatch.Contains(etag))
            {
                c.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
        }
        c.Response.ContentType = "application/json; charset=utf-8";
        await c.Response.WriteAsync(JsonSerializer.Serialize(body, AyalonJson.Options));
    }
}
