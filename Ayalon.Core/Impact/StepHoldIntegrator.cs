namespace Ayalon.Core.Impact;

/// <summary>
/// One value of a section (or a direction's corridor) at an instant, as time integration sees it.
/// <see cref="DelaySeconds"/> null means "observed, but no valid value" (insufficient coverage, closed, no data):
/// it ends the previous hold and starts a gap.
/// </summary>
public readonly record struct DelaySample(DateTimeOffset AtUtc, double? DelaySeconds, bool Congested)
{
    public bool IsValid => DelaySeconds.HasValue;

    public static DelaySample From(SectionObservation o) =>
        new(o.ObservedAtUtc, o.HasValue ? o.DelaySeconds : null, o.HasValue && o.Congested);

    public static DelaySample From(DirectionObservation o) =>
        new(o.ObservedAtUtc, o.HasValue ? o.DelaySeconds : null, o.HasValue && o.Congested);
}

/// <summary>
/// Step-hold totals over a window. Delay integrals are in seconds × seconds (∫ d dt); vehicle delay is in
/// vehicle-seconds (∫ d · q/3600 dt) and vehicle-hours (that / 3600) and exists only with a volume profile.
/// </summary>
/// <param name="WindowSeconds">Length of the window (or of the bucket's part of it).</param>
/// <param name="ObservedSeconds">Time covered by a held valid observation.</param>
/// <param name="GapSeconds">WindowSeconds − ObservedSeconds: reported, never interpolated.</param>
/// <param name="MeanDelaySeconds">Time-weighted: DelayIntegral / ObservedSeconds; null without observed time.</param>
public sealed record IntegralTotals(
    DateTimeOffset FromUtc,
    DateTimeOffset ToUtc,
    double WindowSeconds,
    double ObservedSeconds,
    double GapSeconds,
    double Coverage,
    double? MeanDelaySeconds,
    double? MinDelaySeconds,
    double? MaxDelaySeconds,
    double CongestedSeconds,
    double DelayIntegralSecondsSquared,
    double? VehicleDelaySeconds,
    double? VehicleDelayHours,
    string? VehicleDelayUnavailableReason);

/// <summary>Totals for one local calendar day (its window is 23, 24 or 25 h long across DST changes).</summary>
public sealed record LocalDayTotals(DateOnly LocalDate, IntegralTotals Totals);

/// <summary>A batch integration: the window's totals, split by UTC hour and by local day.</summary>
public sealed record DelayIntegration(
    IntegralTotals Total,
    IReadOnlyList<IntegralTotals> HourlyUtc,
    IReadOnlyList<LocalDayTotals> DailyLocal);

/// <summary>
/// What one held observation adds to one UTC hour's rollup. Additive: summing contributions of every hold in a
/// sequence gives the batch result for that hour (sum the seconds and integrals, take min of mins, max of maxes).
/// </summary>
public sealed record HourContribution(
    DateTimeOffset HourStartUtc,
    double ObservedSeconds,
    double DelayIntegralSecondsSquared,
    double? VehicleDelaySeconds,
    double CongestedSeconds,
    double MinDelaySeconds,
    double MaxDelaySeconds)
{
    /// <summary>Merge two contributions to the same hour.</summary>
    public HourContribution Plus(HourContribution other)
    {
        if (other.HourStartUtc != HourStartUtc) throw new ArgumentException("Contributions are for different hours.", nameof(other));
        return new HourContribution(HourStartUtc,
            ObservedSeconds + other.ObservedSeconds,
            DelayIntegralSecondsSquared + other.DelayIntegralSecondsSquared,
            VehicleDelaySeconds is null || other.VehicleDelaySeconds is null ? null : VehicleDelaySeconds + other.VehicleDelaySeconds,
            CongestedSeconds + other.CongestedSeconds,
            Math.Min(MinDelaySeconds, other.MinDelaySeconds),
            Math.Max(MaxDelaySeconds, other.MaxDelaySeconds));
    }
}

/// <summary>
/// Step-hold time integration (docs/METHODOLOGY.md §4): an observation holds until the next observation of the same series,
/// at most <see cref="ImpactConstants.MaxHoldSeconds"/>; time without a valid held observation is a gap. Because
/// a value is weighted by the time it holds, the integral of the same traffic does not depend on how often it
/// was sampled. Pure: "now" is always a parameter (pass the clock's time as the window end for an open hold).
/// </summary>
/// <remarks>
/// Holds are cut at UTC hour boundaries and at local hour boundaries of the local zone and of the volume
/// profile's zone, so each piece has one hour bucket, one local day and one hourly volume. For zones with
/// whole-hour offsets (Asia/Jerusalem) these boundaries coincide; DST transitions fall on them too.
/// </remarks>
public sealed class StepHoldIntegrator
{
    private const string NoProfileReason = "no volume profile is configured: vehicle counts are not measured by any connected source and are never derived from speed";

    private readonly long _maxHoldTicks;

    public StepHoldIntegrator(ImpactConstants constants)
    {
        ArgumentNullException.ThrowIfNull(constants);
        Constants = constants;
        LocalTimeZone = constants.LocalTimeZone;
        _maxHoldTicks = TimeSpan.FromSeconds(constants.MaxHoldSeconds).Ticks;
    }

    public ImpactConstants Constants { get; }

    /// <summary>The zone for daily buckets (from the constants file).</summary>
    public TimeZoneInfo LocalTimeZone { get; }

    /// <summary>
    /// Batch: integrate a time-ordered series over [<paramref name="fromUtc"/>, <paramref name="toUtc"/>).
    /// Samples before the window count for the part of their hold inside it. For a window reaching "now", pass
    /// now as <paramref name="toUtc"/>: the last hold is cut there.
    /// </summary>
    /// <param name="profile">Volume profile; null → vehicle delay is unavailable with the reason.</param>
    /// <param name="direction">The profile direction the series belongs to.</param>
    /// <remarks>
    /// No production caller (the collector stores <see cref="Contributions(DelaySample, DateTimeOffset, VolumeProfile?, string?)"/>
    /// hour by hour): it stays as the methodology's definition over a whole window, which the physics tests hold the
    /// incremental contributions to (their sums must equal it, bucket by bucket).
    /// </remarks>
    public DelayIntegration Integrate(IReadOnlyList<DelaySample> samples, DateTimeOffset fromUtc, DateTimeOffset toUtc,
        VolumeProfile? profile = null, string? direction = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (toUtc < fromUtc) throw new ArgumentException("The window ends before it starts.", nameof(toUtc));
        var volumes = VolumeLookup.Create(profile, direction, out var reason);

        var from = fromUtc.UtcTicks;
        var to = toUtc.UtcTicks;
        var firstHour = Floor(from, TimeSpan.TicksPerHour);
        var hourCount = to > firstHour ? (int)((to - firstHour + TimeSpan.TicksPerHour - 1) / TimeSpan.TicksPerHour) : 0;
        var days = LocalDays(from, to);
        var sink = new BatchSink(firstHour, hourCount, days.Count, days.Count > 0 ? days[0].DayNumber : 0, volumes.Available);

        var zone = new ZoneClock(LocalTimeZone);
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            if (i > 0 && s.AtUtc < samples[i - 1].AtUtc)
                throw new ArgumentException($"Samples must be in time order (sample #{i} is earlier than #{i - 1}).", nameof(samples));
            if (s.DelaySeconds is not { } delay) continue;
            var holdEnd = s.AtUtc.UtcTicks + _maxHoldTicks;
            if (i + 1 < samples.Count) holdEnd = Math.Min(holdEnd, samples[i + 1].AtUtc.UtcTicks);
            var a = Math.Max(s.AtUtc.UtcTicks, from);
            var b = Math.Min(holdEnd, to);
            if (b > a) Walk(a, b, delay, s.Congested, ref zone, ref volumes, ref sink);
        }

        var total = sink.Total.ToTotals(new DateTimeOffset(from, TimeSpan.Zero), new DateTimeOffset(to, TimeSpan.Zero), volumes.Available, reason);
        var hourly = new IntegralTotals[hourCount];
        for (var h = 0; h < hourCount; h++)
        {
            var hs = Math.Max(from, firstHour + h * TimeSpan.TicksPerHour);
            var he = Math.Min(to, firstHour + (h + 1) * TimeSpan.TicksPerHour);
            hourly[h] = sink.Hours[h].ToTotals(new DateTimeOffset(hs, TimeSpan.Zero), new DateTimeOffset(he, TimeSpan.Zero), volumes.Available, reason);
        }
        var daily = new LocalDayTotals[days.Count];
        for (var d = 0; d < days.Count; d++)
        {
            var (date, _, ds, de) = days[d];
            daily[d] = new LocalDayTotals(date, sink.Days[d].ToTotals(
                new DateTimeOffset(Math.Max(from, ds), TimeSpan.Zero), new DateTimeOffset(Math.Min(to, de), TimeSpan.Zero),
                volumes.Available, reason));
        }
        return new DelayIntegration(total, hourly, daily);
    }

    /// <summary>
    /// Incremental: what <paramref name="held"/> adds to hourly rollups from its own time until
    /// <paramref name="endUtc"/> — the next observation's time, or now for a still-open hold — capped at the
    /// maximum hold. An invalid sample adds nothing (it is a gap).
    /// </summary>
    public IReadOnlyList<HourContribution> Contributions(DelaySample held, DateTimeOffset endUtc,
        VolumeProfile? profile = null, string? direction = null) =>
        Contributions(held, held.AtUtc, endUtc, profile, direction);

    /// <summary>
    /// Incremental over part of a hold: only [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) of it. Lets a
    /// collector that already accounted an open hold up to some instant add just the rest later, never twice.
    /// </summary>
    public IReadOnlyList<HourContribution> Contributions(DelaySample held, DateTimeOffset fromUtc, DateTimeOffset toUtc,
        VolumeProfile? profile = null, string? direction = null)
    {
        if (held.DelaySeconds is not { } delay) return [];
        var volumes = VolumeLookup.Create(profile, direction, out _);
        var a = Math.Max(held.AtUtc.UtcTicks, fromUtc.UtcTicks);
        var b = Math.Min(held.AtUtc.UtcTicks + _maxHoldTicks, toUtc.UtcTicks);
        if (b <= a) return [];
        var sink = new ContributionSink(volumes.Available);
        var zone = new ZoneClock(LocalTimeZone);
        Walk(a, b, delay, held.Congested, ref zone, ref volumes, ref sink);
        return sink.Result;
    }

    private static void Walk<TSink>(long a, long b, double delay, bool congested, ref ZoneClock zone, ref VolumeLookup volumes, ref TSink sink)
        where TSink : struct, IPieceSink
    {
        while (a < b)
        {
            var next = Math.Min(b, Floor(a, TimeSpan.TicksPerHour) + TimeSpan.TicksPerHour);
            var localOffset = zone.OffsetTicks(a);
            next = Math.Min(next, NextLocalHour(a, localOffset));
            var q = 0.0;
            if (volumes.Available)
            {
                var profileOffset = volumes.Clock.OffsetTicks(a);
                next = Math.Min(next, NextLocalHour(a, profileOffset));
                q = volumes.VehiclesPerHour(a + profileOffset);
            }
            var dayNumber = (a + localOffset) / TimeSpan.TicksPerDay;
            sink.Add(a, dayNumber, (double)(next - a) / TimeSpan.TicksPerSecond, delay, congested, q);
            a = next;
        }
    }

    private List<(DateOnly Date, long DayNumber, long StartUtcTicks, long EndUtcTicks)> LocalDays(long from, long to)
    {
        var result = new List<(DateOnly, long, long, long)>();
        if (to <= from) return result;
        var first = LocalTime.DateOf(new DateTimeOffset(from, TimeSpan.Zero), LocalTimeZone);
        var last = LocalTime.DateOf(new DateTimeOffset(to - 1, TimeSpan.Zero), LocalTimeZone);
        for (var d = first; d <= last; d = d.AddDays(1))
        {
            // DateOnly.DayNumber counts days from 0001-01-01, as (local ticks / TicksPerDay) does in Walk.
            result.Add((d, d.DayNumber, LocalMidnightUtcTicks(d), LocalMidnightUtcTicks(d.AddDays(1))));
        }
        return result;
    }

    private long LocalMidnightUtcTicks(DateOnly date) => LocalTime.MidnightUtc(date, LocalTimeZone).UtcTicks;

    private static long Floor(long ticks, long unit) => ticks - (((ticks % unit) + unit) % unit);

    private static long NextLocalHour(long utcTicks, long offsetTicks) =>
        Floor(utcTicks + offsetTicks, TimeSpan.TicksPerHour) + TimeSpan.TicksPerHour - offsetTicks;

    /// <summary>UTC offset of a zone, cached per UTC hour (offset lookups dominate a year's integration otherwise).</summary>
    private struct ZoneClock(TimeZoneInfo zone)
    {
        private long _hour = long.MinValue;
        private long _offset;

        public long OffsetTicks(long utcTicks)
        {
            var hour = utcTicks / TimeSpan.TicksPerHour;
            if (hour != _hour)
            {
                _hour = hour;
                _offset = zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;
            }
            return _offset;
        }
    }

    private struct VolumeLookup
    {
        public bool Available;
        public ZoneClock Clock;
        private VolumeProfile? _profile;
        private string? _direction;

        public static VolumeLookup Create(VolumeProfile? profile, string? direction, out string? reason)
        {
            if (profile is null)
            {
                reason = NoProfileReason;
                return default;
            }
            if (direction is null || !profile.HasDirection(direction))
            {
                reason = $"the volume profile ({profile.Source}) has no values for direction '{direction}'";
                return default;
            }
            reason = null;
            return new VolumeLookup { Available = true, Clock = new ZoneClock(profile.TimeZone), _profile = profile, _direction = direction };
        }

        public readonly double VehiclesPerHour(long localTicks)
        {
            var local = new DateTime(localTicks, DateTimeKind.Unspecified);
            return _profile!.VehiclesPerHour(_direction!, local.DayOfWeek, local.Hour);
        }
    }

    private interface IPieceSink
    {
        void Add(long startUtcTicks, long localDayNumber, double seconds, double delaySeconds, bool congested, double vehiclesPerHour);
    }

    private struct Accumulator
    {
        public double Observed, DelayIntegral, VehicleDelay, Congested, Min, Max;
        public bool Any;

        public void Add(double seconds, double delay, bool congested, double q)
        {
            if (!Any)
            {
                Min = delay;
                Max = delay;
                Any = true;
            }
            else
            {
                if (delay < Min) Min = delay;
                if (delay > Max) Max = delay;
            }
            Observed += seconds;
            DelayIntegral += delay * seconds;
            // vehicles passing in the piece = q/3600 · seconds; each loses `delay` seconds.
            VehicleDelay += delay * q / Units.SecondsPerHour * seconds;
            if (congested) Congested += seconds;
        }

        public readonly IntegralTotals ToTotals(DateTimeOffset from, DateTimeOffset to, bool volumes, string? reason)
        {
            var window = (to - from).TotalSeconds;
            // Floating sums can overshoot the window by an ulp; coverage is a fraction, so clamp it.
            var observed = Math.Min(Observed, window);
            return new IntegralTotals(from, to, window, observed, window - observed,
                window > 0 ? observed / window : 0,
                Any && Observed > 0 ? DelayIntegral / Observed : null,
                Any ? Min : null,
                Any ? Max : null,
                Congested,
                DelayIntegral,
                volumes ? VehicleDelay : null,
                volumes ? VehicleDelay / Units.SecondsPerHour : null,
                reason);
        }
    }

    private struct BatchSink(long firstHourTicks, int hourCount, int dayCount, long firstDayNumber, bool volumes) : IPieceSink
    {
        public Accumulator Total;
        public readonly Accumulator[] Hours = new Accumulator[hourCount];
        public readonly Accumulator[] Days = new Accumulator[dayCount];

        public void Add(long startUtcTicks, long localDayNumber, double seconds, double delaySeconds, bool congested, double vehiclesPerHour)
        {
            var q = volumes ? vehiclesPerHour : 0;
            Total.Add(seconds, delaySeconds, congested, q);
            Hours[(int)((startUtcTicks - firstHourTicks) / TimeSpan.TicksPerHour)].Add(seconds, delaySeconds, congested, q);
            var d = (int)(localDayNumber - firstDayNumber);
            if ((uint)d < (uint)Days.Length) Days[d].Add(seconds, delaySeconds, congested, q);
        }
    }

    private struct ContributionSink(bool volumes) : IPieceSink
    {
        public readonly List<HourContribution> Result = [];

        public void Add(long startUtcTicks, long localDayNumber, double seconds, double delaySeconds, bool congested, double vehiclesPerHour)
        {
            var hour = new DateTimeOffset(Floor(startUtcTicks, TimeSpan.TicksPerHour), TimeSpan.Zero);
            var c = new HourContribution(hour, seconds, delaySeconds * seconds,
                volumes ? delaySeconds * vehiclesPerHour / Units.SecondsPerHour * seconds : null,
                congested ? seconds : 0, delaySeconds, delaySeconds);
            if (Result.Count > 0 && Result[^1].HourStartUtc == hour) Result[^1] = Result[^1].Plus(c);
            else Result.Add(c);
        }
    }
}
