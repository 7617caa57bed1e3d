using Ayalon.Core.Collection;
using Ayalon.Core.Corridor;
using Ayalon.Core.Health;
using Ayalon.Core.Impact;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.ReadModels;

/// <summary>/api/impact as served: the response, its serialized body (with ETag) and how long it stays valid.</summary>
public sealed record ImpactSnapshot(ImpactResponse Response, ApiBody Body, DateTimeOffset BuiltAtUtc, long StateVersion)
{
    public int MaxAgeSeconds(DateTimeOffset nowUtc) => (int)Math.Max(0, Math.Floor((Response.NextCycleUtc - nowUtc).TotalSeconds));
}

/// <summary>
/// Builds /api/impact from persisted state only — the latest-state rows, today's hourly rollups and the open hold
/// of each section's latest observation — and serves it from memory. The snapshot is rebuilt at once when a cycle
/// in this process moved the latest state; otherwise every <see cref="FreshFor"/> (in the background while it is
/// younger than <see cref="ServeStaleFor"/>, so requests do not wait on storage in steady state). A rebuild
/// re-reads storage only when the last-cycle row's ETag changed (another instance collected) or every
/// <see cref="FullReadEvery"/>; otherwise it recomputes the time-dependent fields (ages, states, today's open
/// holds) from the inputs it holds.
/// </summary>
public sealed class ImpactService(
    CorridorDefinition corridor,
    ImpactSettings impact,
    LatestStateStore latest,
    RollupStore rollups,
    CycleSchedule schedule,
    IOptionsMonitor<TrafficOptions> trafficOptions,
    UsualDelayService usualDelay,
    TimeProvider time,
    ILogger<ImpactService> logger)
{
    /// <summary>The corridor geometry is OpenStreetMap-derived (the loader's attribution), licensed ODbL 1.0.</summary>
    public const string GeometryCredit = CorridorLoader.OsmAttribution + ", ODbL 1.0";

    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ServeStaleFor = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _rebuild = new(1, 1);
    /// <summary>Inputs are re-read in full at least this often, whatever the ETag says.</summary>
    public static readonly TimeSpan FullReadEvery = TimeSpan.FromSeconds(60);

    private volatile ImpactSnapshot? _snapshot;
    private volatile Inputs? _inputs;
    private int _refreshing;

    public async ValueTask<ImpactSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var s = _snapshot;
        if (s is not null && s.StateVersion == latest.Version)
        {
            var now = time.GetUtcNow();
            var age = now - s.BuiltAtUtc;
            if (age >= TimeSpan.Zero && age < FreshFor && now < s.Response.NextCycleUtc) return s;
            if (age >= TimeSpan.Zero && age < ServeStaleFor)
            {
                RefreshInBackground();
                return s;
            }
        }
        return await RebuildAsync(cancellationToken).ConfigureAwait(false);
    }

    private void RefreshInBackground()
    {
        if (Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await RebuildAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (StorageFailure.Is(ex))
            {
                logger.LogWarning("Impact snapshot refresh failed: storage unavailable ({ExceptionType})", ex.GetType().Name);
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
        });
    }

    private async Task<ImpactSnapshot> RebuildAsync(CancellationToken cancellationToken)
    {
        var version = latest.Version;
        await _rebuild.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Someone else rebuilt while we waited.
            if (_snapshot is { } s && s.StateVersion == version && time.GetUtcNow() - s.BuiltAtUtc is var age && age >= TimeSpan.Zero && age < FreshFor)
                return s;
            var now = time.GetUtcNow();
            var inputs = _inputs;
            if (inputs is null || inputs.StateVersion != version || now - inputs.ReadAtUtc > FullReadEvery || now < inputs.ReadAtUtc ||
                inputs.LocalDate != LocalTime.DateOf(now, impact.Constants.LocalTimeZone) ||
                await latest.ReadCycleETagAsync(cancellationToken).ConfigureAwait(false) != inputs.CycleETag)
            {
                inputs = await ReadInputsAsync(version, cancellationToken).ConfigureAwait(false);
                _inputs = inputs;
            }
            var usual = await UsualAsync(inputs.State, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            var response = Build(inputs, usual, time.GetUtcNow());
            var snapshot = new ImpactSnapshot(response, ApiBody.Json(response), response.GeneratedAtUtc, version);
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _rebuild.Release();
        }
    }

    /// <summary>What the response is computed from; re-read when a cycle wrote (the last-cycle row's ETag changed).</summary>
    private sealed record Inputs(LatestState State, IReadOnlyList<SectionHour> TodayHours, DateOnly LocalDate, string? CycleETag,
        long StateVersion, DateTimeOffset ReadAtUtc);

    private async Task<Inputs> ReadInputsAsync(long version, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // ETag first: a cycle landing between the reads then shows as a changed ETag next time.
        var etag = await latest.ReadCycleETagAsync(cancellationToken).ConfigureAwait(false);
        var state = await latest.ReadAsync(cancellationToken).ConfigureAwait(false);
        var zone = impact.Constants.LocalTimeZone;
        var localDate = LocalTime.DateOf(now, zone);
        // The whole local day: hours after "now" are still empty, so the inputs stay valid until a cycle writes.
        var hours = await rollups.ReadAsync(LocalTime.MidnightUtc(localDate, zone), LocalTime.MidnightUtc(localDate.AddDays(1), zone),
            corridor.Sections.Select(s => s.Id).ToList(), cancellationToken).ConfigureAwait(false);
        return new Inputs(state, hours, localDate, etag, version, now);
    }

    /// <summary>Reads storage and computes the response (no cache).</summary>
    public async Task<ImpactResponse> BuildAsync(CancellationToken cancellationToken)
    {
        var inputs = await ReadInputsAsync(latest.Version, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return Build(inputs, await UsualAsync(inputs.State, now, cancellationToken).ConfigureAwait(false), now);
    }

    private static DateTimeOffset? NewestValid(LatestState state) =>
        state.Sections.Values.Where(o => o.State == ObservationState.Ok).Select(o => (DateTimeOffset?)o.ObservedAtUtc).Max();

    /// <summary>The usual of the hour the newest valid observation fell in (the hour "now" describes), else of this hour.</summary>
    private Task<UsualSet> UsualAsync(LatestState state, DateTimeOffset now, CancellationToken cancellationToken) =>
        usualDelay.ForHourOrUnavailableAsync(LocalTime.FloorHour(NewestValid(state) ?? now), cancellationToken);

    private ImpactResponse Build(Inputs inputs, UsualSet usual, DateTimeOffset now)
    {
        var state = inputs.State;
        var constants = impact.Constants;

        var sections = corridor.Sections.Select(s => SectionState(s, state, now, usual.Section(s.Id), schedule.Freshness, constants)).ToList();
        var directions = corridor.Directions.Select(d => DirectionState(d, sections, state, usual.Direction(d))).ToList();
        var newestValid = NewestValid(state);
        // Today runs from local midnight, so every hour it integrates lies in one local month: that month's price.
        var fuelUse = impact.FuelPriceFor(LocalTime.DateOf(now, constants.LocalTimeZone));
        var today = Today(state, inputs.TodayHours, now, fuelUse);

        var lastCycle = state.LastCycle;
        var fetches = new[] { lastCycle, state.LastSuccessfulCycle }.Where(c => c is not null)
            .SelectMany(c => c!.Attempts).Select(a => (DateTimeOffset?)a.StartedAtUtc).Max();
        // The provider that measured the most sections in the last cycle; before any cycle, the first one configured.
        var provider = lastCycle?.Provider ?? trafficOptions.CurrentValue.Order.FirstOrDefault() ?? "";
        var traffic = new TrafficSource(provider, lastCycle?.ProviderStatus, ProviderMessages.For(lastCycle?.ProviderStatus),
            fetches, lastCycle?.CycleId, lastCycle?.Status);
        var fuel = fuelUse is { Price: var f } ? new FuelPriceSource(f.IlsPerLitre, f.Source, f.Month, fuelUse.ForMonth, fuelUse.Origin, f.Secondary, fuelUse.Note) : null;
        var volume = impact.VolumeProfile is { } p ? new VolumeProfileSource(p.Source, p.Citation, p.IsSynthetic) : null;
        var trackingIds = state.Sections.Values
            .SelectMany(o => o.TrackingIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        return new ImpactResponse(now, constants.MethodologyVersion, constants.ConstantsVersion, schedule.NextAfter(now),
            DataFreshness.Evaluate(state.Sections, corridor.Sections.Count, schedule.Freshness, now).Status, directions, sections, today,
            new ImpactSources(traffic, fuel, volume, GeometryCredit),
            new ImpactProvenance(provider, trackingIds, lastCycle?.CycleId, newestValid), constants.LocalTimeZoneId);
    }

    /// <summary>A section's observation is current while health would call it healthy, then stale, then old (the schedule's bands).</summary>
    private static SectionNow SectionState(CorridorSection s, LatestState state, DateTimeOffset now, UsualDelay usual, FreshnessThresholds bands,
        ImpactConstants constants)
    {
        if (!state.Sections.TryGetValue(s.Id, out var o))
        {
            return new SectionNow(s.Id, s.Direction, s.From, s.To, s.LengthMeters, "none", null, null, null, null, null, null, null, 0, false, usual,
                CongestionClass.None);
        }
        var age = now - o.ObservedAtUtc;
        var name = o.State != ObservationState.Ok ? o.State : age < bands.HealthyBelow ? "current" : age < bands.DegradedBelow ? "stale" : "old";
        return new SectionNow(s.Id, s.Direction, s.From, s.To, s.LengthMeters, name, o.ObservedAtUtc, Round.Value(age.TotalSeconds, 1),
            Round.Seconds(o.TravelTimeSeconds), Round.Seconds(o.FreeFlowTimeSeconds), Round.Seconds(o.DelaySeconds),
            Round.Value(o.SpeedKmh, 2), Round.Value(o.FreeFlowSpeedKmh, 2), Round.Fraction(o.Coverage), o.Congested,
            name == "current" ? usual.ComparedWith(Round.Seconds(o.DelaySeconds)) : usual,
            CongestionClass.Of(name is "current" or "stale" or "old", Round.Seconds(o.DelaySeconds), Round.Seconds(o.FreeFlowTimeSeconds), o.Congested, constants));
    }

    /// <summary>A direction's totals: only when every one of its sections is current and from the same cycle.</summary>
    private DirectionNow DirectionState(string direction, IReadOnlyList<SectionNow> all, LatestState state, UsualDelay usual)
    {
        var mine = corridor.InDirection(direction);
        var rows = all.Where(s => s.Direction == direction).ToList();
        var length = mine.Sum(s => s.LengthMeters);
        DirectionNow Without(string stateName, string reason) =>
            new(direction, mine[0].From, mine[^1].To, length, stateName, reason, null, null, null, null, null, false, usual, CongestionClass.None);

        if (rows.All(r => r.State == "none")) return Without("none", "no observation of this direction yet");
        var notCurrent = rows.Where(r => r.State != "current").Select(r => r.SectionId + ": " + r.State).ToList();
        if (notCurrent.Count > 0) return Without(ObservationState.Incomplete, "not current — " + string.Join("; ", notCurrent));
        var observations = rows.Select(r => state.Sections[r.SectionId]).ToList();
        if (observations.Select(o => o.CycleId).Distinct(StringComparer.Ordinal).Count() > 1)
            return Without(ObservationState.Incomplete, "its sections were last measured in different cycles");

        var travel = observations.Sum(o => o.TravelTimeSeconds ?? 0);
        var freeFlow = observations.Sum(o => o.FreeFlowTimeSeconds ?? 0);
        var delay = observations.Sum(o => o.DelaySeconds ?? 0);
        var congested = freeFlow > 0 && delay / freeFlow > impact.Constants.CongestionThreshold;
        return new DirectionNow(direction, mine[0].From, mine[^1].To, length, ObservationState.Ok, null,
            observations.Max(o => o.ObservedAtUtc), Round.Seconds(travel), Round.Seconds(freeFlow), Round.Seconds(delay),
            travel > 0 ? Round.Value(Units.MetersPerSecondToKmh(length / travel), 2) : null,
            congested,
            usual.ComparedWith(Round.Seconds(delay)),
            CongestionClass.Of(true, Round.Seconds(delay), Round.Seconds(freeFlow), congested, impact.Constants));
    }

    /// <summary>
    /// Since local midnight: the hourly rollups plus each section's still-open hold (its latest valid observation,
    /// held up to min(now, observed + max hold)) — the same step-hold integral, never interpolated.
    /// </summary>
    private TodayImpact Today(LatestState state, IReadOnlyList<SectionHour> hours, DateTimeOffset now, FuelPriceUse? fuelPrice)
    {
        var constants = impact.Constants;
        var zone = constants.LocalTimeZone;
        var localDate = LocalTime.DateOf(now, zone);
        var midnight = LocalTime.MidnightUtc(localDate, zone);
        var window = Math.Max(0, (now - midnight).TotalSeconds);
        var profile = impact.VolumeProfile;

        var totals = corridor.Sections.ToDictionary(s => s.Id, s => new DelayTotals(profile?.HasDirection(s.Direction) == true), StringComparer.Ordinal);
        foreach (var h in hours)
        {
            if (h.HourStartUtc >= midnight && h.HourStartUtc < now && totals.TryGetValue(h.SectionId, out var t)) t.Add(h);
        }
        foreach (var s in corridor.Sections)
        {
            if (!state.Sections.TryGetValue(s.Id, out var o) || o.State != ObservationState.Ok || o.DelaySeconds is null) continue;
            var held = new DelaySample(o.ObservedAtUtc, o.DelaySeconds, o.Congested);
            foreach (var c in impact.Integrator.Contributions(held, midnight, now, profile, s.Direction)) totals[s.Id].Add(c);
        }

        var byDirection = corridor.Directions.Select(d =>
        {
            var f = DelayFigures.ForDirection(corridor.InDirection(d).Select(s => totals[s.Id]).ToList(), window);
            return new TodayDirection(d, f.ObservedSeconds, f.Coverage, f.MeanDelaySeconds, f.MaxDelaySeconds, f.CongestedSeconds, f.VehicleHours);
        }).ToList();

        double? vh = byDirection.All(d => d.VehicleHours is not null) ? byDirection.Sum(d => d.VehicleHours!.Value) : null;
        var reason = impact.VehicleHoursUnavailableReason ?? (vh is null ? "the volume profile does not cover every direction" : null);
        var physical = PhysicalImpact.From(vh, reason, constants, fuelPrice?.Price, profile);
        var observed = byDirection.Count == 0 ? 0 : byDirection.Min(d => d.ObservedSeconds);
        return new TodayImpact(localDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), zone.Id, midnight, now,
            observed, Round.Fraction(window > 0 ? observed / window : 0), byDirection,
            new TodayPhysicalImpact(physical.Available, physical.UnavailableReason, Round.VehicleHours(physical.VehicleHours),
                Round.Value(physical.FuelLitres, 3), Round.Value(physical.Co2Kg, 3), Round.Value(physical.FuelCostIls, 2),
                physical.FuelCostUnavailableReason, Round.Value(physical.TimeValueIls, 2), physical.VolumeSource, physical.VolumeIsSynthetic,
                physical.VolumeIsSynthetic ? PhysicalImpact.SyntheticLabel : null));
    }
}
