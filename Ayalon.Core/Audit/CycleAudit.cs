using System.Globalization;
using Ayalon.Core.Collection;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Storage;
using Azure.Data.Tables;

namespace Ayalon.Core.Audit;

/// <summary>
/// The audit: recomputes every recorded cycle in a range from the raw archive with the collector's own code (each
/// provider's classifier, <see cref="CycleFetcher.TurnFrom"/>, <see cref="CycleComputer"/>, the step-hold rollup
/// merge) and compares the result with what is stored — observations, hourly rollups, cycle records — field by field.
/// Read-only: it never writes to storage and never calls a provider.
/// </summary>
/// <remarks>
/// Cycles are replayed in start order, each seeing the latest state the ones before it left (cycles never overlap:
/// the lease is held for a cycle's whole run). The hold that crosses <c>from</c> starts from the stored observations
/// before it, and cycles shortly before and after the range are replayed too (not checked) so the hours at both ends
/// get every hold they hold. Hours are checked when they lie wholly inside the range.
/// </remarks>
public sealed class CycleAudit(
    CorridorDefinition corridor,
    ImpactSettings impact,
    AyalonTables tables,
    CycleStore cycles,
    ObservationStore observations,
    RawResponseArchive archive,
    TimeProvider time)
{
    /// <summary>Stored values travel as JSON text; recomputed ones may differ in the last bits of a long sum.</summary>
    private const double RelativeTolerance = 1e-9;

    private static readonly TimeSpan Margin = TimeSpan.FromDays(1);

    /// <summary>Cycles prepared (parsed, matched) in parallel at a time: a few hours of the 5-minute cadence.</summary>
    private const int BatchSize = 64;

    /// <param name="fromName">How the caller names the range's start in its messages (<c>--from</c> on the command line).</param>
    /// <param name="toName">How the caller names the range's end.</param>
    public async Task<AuditReport> RunAsync(DateTimeOffset? fromUtc, DateTimeOffset? toUtc, CancellationToken cancellationToken,
        string fromName = "from", string toName = "to")
    {
        var now = time.GetUtcNow();
        var earliest = now.AddDays(-RawResponseArchive.RetentionDays);
        var from = fromUtc ?? earliest;
        var to = toUtc ?? now;
        if (from > to) throw new AuditInputException(fromName, $"{fromName} {Text(from)} is after {toName} {Text(to)}.");
        if (from < earliest.UtcDateTime.Date)
            throw new AuditInputException(fromName, $"{fromName} {Text(from)} is before the raw archive's {RawResponseArchive.RetentionDays}-day retention: " +
                $"bodies before {Text(new DateTimeOffset(earliest.UtcDateTime.Date, TimeSpan.Zero))} are deleted, so those cycles cannot be recomputed.");

        var differences = new List<AuditDifference>();
        var warmUp = from - TimeSpan.FromSeconds(impact.Constants.MaxHoldSeconds) - TimeSpan.FromMinutes(5);
        var records = await cycles.ReadAsync(from - Margin, to + Margin, cancellationToken).ConfigureAwait(false);
        var knownCycleIds = records.Select(r => r.CycleId).ToHashSet(StringComparer.Ordinal);
        var replayed = records.Where(r => r.StartedAtUtc >= warmUp).ToList();
        var stored = await observations.ReadAsync(from - Margin, to + Margin, null, cancellationToken).ConfigureAwait(false);

        // The latest state the first replayed cycle saw: each section's newest stored observation before it.
        var firstStart = replayed.Count > 0 ? replayed[0].StartedAtUtc : from;
        var state = new Dictionary<string, StoredObservation>(StringComparer.Ordinal);
        foreach (var o in stored.Where(o => o.ObservedAtUtc < firstStart)) state[o.SectionId] = o;

        var fetcher = new CycleFetcher(corridor, impact, time);
        var computer = new CycleComputer(corridor, impact);
        var bodies = new ArchiveWindow(archive);
        var recomputed = new Dictionary<string, StoredObservation>(StringComparer.Ordinal);
        var checkedCycleIds = new HashSet<string>(StringComparer.Ordinal);
        var hours = new Dictionary<DateTimeOffset, TableEntity>();
        var cycleCount = 0;

        var done = false;
        for (var batchStart = 0; batchStart < replayed.Count && !done; batchStart += BatchSize)
        {
            var batch = replayed.GetRange(batchStart, Math.Min(BatchSize, replayed.Count - batchStart));
            var archived = new List<IReadOnlyList<ArchivedRead>>(batch.Count);
            foreach (var record in batch) archived.Add(await bodies.ForCycleAsync(record, cancellationToken).ConfigureAwait(false));

            // Parsing and matching depend on nothing but the cycle's own answers: done in parallel, while the steps
            // that carry state from cycle to cycle (the latest state, the rollup watermarks) run in order below.
            var prepared = new (List<AuditDifference> Differences, IReadOnlyList<ProviderTurn> Turns)[batch.Count];
            Parallel.For(0, batch.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                var found = new List<AuditDifference>();
                var fetches = ArchivedCycle.Fetches(batch[i], archived[i], impact.Constants.ConfidenceFloor, found);
                prepared[i] = (found, fetches.Select(fetcher.TurnFrom).ToList());
            });

            for (var i = 0; i < batch.Count; i++)
            {
                var record = batch[i];
                // Past the range, cycles only matter while a section's hold still starts before its end.
                if (record.StartedAtUtc >= to && corridor.Sections.All(s => state.TryGetValue(s.Id, out var o) && o.ObservedAtUtc >= to))
                {
                    done = true;
                    break;
                }
                var inRange = record.StartedAtUtc >= from && record.StartedAtUtc < to;
                if (inRange)
                {
                    cycleCount++;
                    checkedCycleIds.Add(record.CycleId);
                    // A cycle storage failed under may have lost its bodies with the rest of its writes; a body that is
                    // there must still read back whole.
                    differences.AddRange(WroteNoData(record)
                        ? prepared[i].Differences.Where(d => !(d.Table == AyalonTables.RawResponses && d.Field == "Body" && d.Stored is null))
                        : prepared[i].Differences);
                }
                if (prepared[i].Turns.Count == 0) continue; // nobody was asked: nothing was computed or stored

                var writes = computer.Compute(new CycleStart(record.CycleId, record.Trigger, record.StartedAtUtc),
                    prepared[i].Turns, new LatestState(state, null, null), record.FinishedAtUtc);
                if (WroteNoData(record))
                {
                    // Storage failed under it, or it lost the lease: it moved neither the latest state nor (for good)
                    // the rollups — the next cycle's hold covers the same time, and holds count once. What it may have
                    // written before failing must still be what it computed.
                    if (inRange)
                    {
                        Compare(AyalonTables.Cycles, CycleStore.PartitionFor(record.StartedAtUtc) + "/" + CycleStore.RowKeyFor(record),
                            nameof(CycleRecord.Status), record.Status, CycleStatus.Failed, differences);
                        var written = stored.Where(o => o.CycleId == record.CycleId).Select(Key).ToHashSet(StringComparer.Ordinal);
                        foreach (var o in writes.Observations.Where(o => written.Contains(Key(o)))) recomputed[Key(o)] = o;
                    }
                    continue;
                }
                if (inRange)
                {
                    CompareRecord(record, writes.Record, differences);
                    foreach (var o in writes.Observations) recomputed[Key(o)] = o;
                }
                foreach (var c in writes.Contributions)
                {
                    var hour = c.Contribution.HourStartUtc;
                    if (!hours.TryGetValue(hour, out var entity)) hours[hour] = entity = new TableEntity(RollupStore.PartitionFor(hour), RollupStore.RowKeyFor(hour));
                    RollupStore.Merge(entity, c);
                }
                // The latest state only moves forward in observation time.
                foreach (var o in writes.Observations)
                {
                    if (!state.TryGetValue(o.SectionId, out var before) || before.ObservedAtUtc < o.ObservedAtUtc) state[o.SectionId] = o;
                }
            }
        }

        // Stored observations checked: those of the cycles checked, and any in the range that no recorded cycle made.
        var storedChecked = stored.Where(o => checkedCycleIds.Contains(o.CycleId) ||
                                              (o.ObservedAtUtc >= from && o.ObservedAtUtc < to && !knownCycleIds.Contains(o.CycleId)))
            .GroupBy(Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var observationKeys = recomputed.Keys.Union(storedChecked.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var key in observationKeys)
        {
            CompareObservation(key, storedChecked.GetValueOrDefault(key), recomputed.GetValueOrDefault(key), differences);
        }

        var hoursChecked = await CompareRollupsAsync(from, to, hours, differences, cancellationToken).ConfigureAwait(false);
        return new AuditReport(from, to, cycleCount, observationKeys.Count, hoursChecked, differences);
    }

    /// <summary>A cycle recorded after the fact (storage failed under it) or that lost its lease: its own data was not (all) written.</summary>
    private static bool WroteNoData(CycleRecord record) =>
        record.Message is { } m && (m.StartsWith(CollectionCycle.StorageErrorPrefix, StringComparison.Ordinal) ||
                                    m.StartsWith(CollectionCycle.LeaseLostPrefix, StringComparison.Ordinal));

    private static string Key(StoredObservation o) => ObservationStore.PartitionFor(o.ObservedAtUtc) + "/" + ObservationStore.RowKeyFor(o.SectionId, o.SnapshotId);

    private static void CompareRecord(CycleRecord stored, CycleRecord again, List<AuditDifference> differences)
    {
        var keys = CycleStore.PartitionFor(stored.StartedAtUtc) + "/" + CycleStore.RowKeyFor(stored);
        void Field(string name, object? s, object? r) => Compare(AyalonTables.Cycles, keys, name, s, r, differences);
        Field(nameof(CycleRecord.Status), stored.Status, again.Status);
        Field(nameof(CycleRecord.ProviderStatus), stored.ProviderStatus, again.ProviderStatus);
        Field(nameof(CycleRecord.Provider), stored.Provider, again.Provider);
        Field(nameof(CycleRecord.RequestsUsed), stored.RequestsUsed, again.RequestsUsed);
        Field(nameof(CycleRecord.SectionsMeasured), stored.SectionsMeasured, again.SectionsMeasured);
        Field(nameof(CycleRecord.SectionsTotal), stored.SectionsTotal, again.SectionsTotal);
        Field(nameof(CycleRecord.ObservationsStored), stored.ObservationsStored, again.ObservationsStored);
        Field(nameof(CycleRecord.DuplicateObservations), stored.DuplicateObservations, again.DuplicateObservations);
        Field(nameof(CycleRecord.DroppedLowConfidence), stored.DroppedLowConfidence, again.DroppedLowConfidence);
        Field(nameof(CycleRecord.Message), stored.Message, again.Message);
        Field(nameof(CycleRecord.MethodologyVersion), stored.MethodologyVersion, again.MethodologyVersion);
        for (var i = 0; i < Math.Max(stored.Attempts.Count, again.Attempts.Count); i++)
        {
            var s = i < stored.Attempts.Count ? stored.Attempts[i] : null;
            var r = i < again.Attempts.Count ? again.Attempts[i] : null;
            Field($"Attempts[{i}].Status", s?.Status, r?.Status);
        }
        var storedProviders = stored.Providers ?? [];
        var againProviders = again.Providers ?? [];
        for (var i = 0; i < Math.Max(storedProviders.Count, againProviders.Count); i++)
        {
            var s = i < storedProviders.Count ? storedProviders[i] : null;
            var r = i < againProviders.Count ? againProviders[i] : null;
            Field($"Providers[{i}].Provider", s?.Provider, r?.Provider);
            Field($"Providers[{i}].SectionsMeasured", s?.SectionsMeasured, r?.SectionsMeasured);
            Field($"Providers[{i}].RequestsUsed", s?.RequestsUsed, r?.RequestsUsed);
        }
    }

    private static void CompareObservation(string key, StoredObservation? s, StoredObservation? r, List<AuditDifference> differences)
    {
        if (s is null || r is null)
        {
            differences.Add(new AuditDifference(AyalonTables.Observations, key, "row", s is null ? null : "present", r is null ? null : "present"));
            return;
        }
        void Field(string name, object? a, object? b) => Compare(AyalonTables.Observations, key, name, a, b, differences);
        Field(nameof(StoredObservation.SectionId), s.SectionId, r.SectionId);
        Field(nameof(StoredObservation.Direction), s.Direction, r.Direction);
        Field(nameof(StoredObservation.ObservedAtUtc), s.ObservedAtUtc, r.ObservedAtUtc);
        Field(nameof(StoredObservation.State), s.State, r.State);
        Field(nameof(StoredObservation.Coverage), s.Coverage, r.Coverage);
        Field(nameof(StoredObservation.TravelTimeSeconds), s.TravelTimeSeconds, r.TravelTimeSeconds);
        Field(nameof(StoredObservation.FreeFlowTimeSeconds), s.FreeFlowTimeSeconds, r.FreeFlowTimeSeconds);
        Field(nameof(StoredObservation.DelaySeconds), s.DelaySeconds, r.DelaySeconds);
        Field(nameof(StoredObservation.SpeedKmh), s.SpeedKmh, r.SpeedKmh);
        Field(nameof(StoredObservation.FreeFlowSpeedKmh), s.FreeFlowSpeedKmh, r.FreeFlowSpeedKmh);
        Field(nameof(StoredObservation.Congested), s.Congested, r.Congested);
        Field(nameof(StoredObservation.SourcePieceIds), s.SourcePieceIds, r.SourcePieceIds);
        Field(nameof(StoredObservation.TrackingIds), s.TrackingIds, r.TrackingIds);
        Field(nameof(StoredObservation.Provider), s.Provider, r.Provider);
        Field(nameof(StoredObservation.CycleId), s.CycleId, r.CycleId);
        Field(nameof(StoredObservation.MethodologyVersion), s.MethodologyVersion, r.MethodologyVersion);
        Field(nameof(StoredObservation.ConstantsVersion), s.ConstantsVersion, r.ConstantsVersion);
    }

    private static readonly string[] RollupFields =
        ["ObservedSeconds", "DelayIntegral", "VehicleDelaySeconds", "CongestedSeconds", "MinDelaySeconds", "MaxDelaySeconds", "HeldUntilUtc"];

    /// <summary>Every section of every hour wholly inside the range, stored entity against the one rebuilt in memory.</summary>
    private async Task<int> CompareRollupsAsync(DateTimeOffset from, DateTimeOffset to, Dictionary<DateTimeOffset, TableEntity> recomputed,
        List<AuditDifference> differences, CancellationToken cancellationToken)
    {
        var firstHour = new DateTimeOffset(from.UtcDateTime.Date.AddHours(from.UtcDateTime.Hour), TimeSpan.Zero);
        if (firstHour < from) firstHour = firstHour.AddHours(1);
        var endHour = new DateTimeOffset(to.UtcDateTime.Date.AddHours(to.UtcDateTime.Hour), TimeSpan.Zero);
        if (endHour <= firstHour) return 0;

        var table = await tables.GetAsync(AyalonTables.HourlyRollups, cancellationToken).ConfigureAwait(false);
        var fromPk = RollupStore.PartitionFor(firstHour);
        var toPk = RollupStore.PartitionFor(endHour);
        var fromRk = RollupStore.RowKeyFor(firstHour);
        var toRk = RollupStore.RowKeyFor(endHour);
        var stored = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(
                           x => x.PartitionKey.CompareTo(fromPk) >= 0 && x.PartitionKey.CompareTo(toPk) <= 0 &&
                                x.RowKey.CompareTo(fromRk) >= 0 && x.RowKey.CompareTo(toRk) < 0,
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            stored[e.RowKey] = e;
        }

        var count = 0;
        for (var hour = firstHour; hour < endHour; hour = hour.AddHours(1), count++)
        {
            var s = stored.GetValueOrDefault(RollupStore.RowKeyFor(hour));
            var r = recomputed.GetValueOrDefault(hour);
            var keys = RollupStore.PartitionFor(hour) + "/" + RollupStore.RowKeyFor(hour);
            foreach (var section in corridor.Sections)
            {
                var prefix = RollupStore.Prefix(section.Id);
                foreach (var field in RollupFields)
                {
                    Compare(AyalonTables.HourlyRollups, keys, section.Id + "." + field, Value(s, prefix + field), Value(r, prefix + field), differences);
                }
            }
        }
        return count;
    }

    private static object? Value(TableEntity? e, string property) =>
        e is null || !e.TryGetValue(property, out var v) ? null
        : v is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc))
        : v;

    private static void Compare(string table, string keys, string field, object? stored, object? recomputed, List<AuditDifference> differences)
    {
        if (Same(stored, recomputed)) return;
        differences.Add(new AuditDifference(table, keys, field, Format(stored), Format(recomputed)));
    }

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (double x, double y) => x == y || Math.Abs(x - y) <= RelativeTolerance * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y))),
        (DateTimeOffset x, DateTimeOffset y) => x.UtcTicks == y.UtcTicks,
        _ => Equals(a, b),
    };

    private static string? Format(object? v) => v switch
    {
        null => null,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset t => Text(t),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    private static string Text(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The archive, read one UTC day (of fetch) at a time as the replay reaches it, and dropped once behind it, so a
    /// month of bodies is never in memory at once. A cycle's bodies are on its start day or the next.
    /// </summary>
    private sealed class ArchiveWindow(RawResponseArchive archive)
    {
        private readonly Dictionary<DateTime, ILookup<string, ArchivedRead>> _days = [];

        public async Task<IReadOnlyList<ArchivedRead>> ForCycleAsync(CycleRecord record, CancellationToken cancellationToken)
        {
            var day = record.StartedAtUtc.UtcDateTime.Date;
            foreach (var old in _days.Keys.Where(d => d < day).ToList()) _days.Remove(old);
            var result = new List<ArchivedRead>();
            foreach (var d in new[] { day, day.AddDays(1) })
            {
                if (!_days.TryGetValue(d, out var lookup))
                {
                    var reads = await archive.ReadDayAsync(new DateTimeOffset(d, TimeSpan.Zero), cancellationToken).ConfigureAwait(false);
                    _days[d] = lookup = reads.ToLookup(r => r.CycleId, StringComparer.Ordinal);
                }
                result.AddRange(lookup[record.CycleId]);
            }
            return result;
        }
    }
}
