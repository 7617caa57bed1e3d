using Ayalon.Core.Impact;
using Ayalon.Core.Traffic;

namespace Ayalon.Core.Corridor;

/// <summary>The matching rule's parameters (from the constants file; <c>replay --confidence-floor</c> may override the floor for an experiment).</summary>
public sealed record MatchingParameters(
    double BinLengthMeters,
    double MatchDistanceMeters,
    double BearingToleranceDeg,
    double ConfidenceFloor)
{
    public static MatchingParameters From(ImpactConstants constants, double? confidenceFloor = null) => new(
        constants.BinLengthMeters,
        constants.MatchDistanceMeters,
        constants.BearingToleranceDeg,
        confidenceFloor ?? constants.ConfidenceFloor);
}

/// <summary>What happened to one distinct provider piece (by <see cref="FlowPiece.PieceId"/>) in a match.</summary>
public static class PieceMatchStatus
{
    /// <summary>Gave its speeds to at least one bin.</summary>
    public const string Matched = "matched";

    /// <summary>Passed the confidence floor but runs on no corridor section (other road, other carriageway).</summary>
    public const string Unmatched = "unmatched";

    /// <summary>Below the confidence floor: dropped and counted, never substituted.</summary>
    public const string LowConfidence = "low_confidence";
}

/// <summary>One distinct piece's outcome. <see cref="Occurrences"/> &gt; 1 when several answers returned it.</summary>
public sealed record PieceMatch(
    string PieceId,
    string Status,
    int Occurrences,
    double Confidence,
    bool RoadClosure,
    IReadOnlyList<string> MatchedSectionIds);

/// <summary>
/// One section's match. Travel times are sums over the SAME matched bins (never a whole provider polyline against
/// a window of it: that was the prototype's "delay at free flow" defect). Bins whose piece reports a closure
/// carry no speed and are excluded from the sums; <see cref="ClosureSeen"/> says so.
/// <see cref="DelaySeconds"/> is accumulated and clamped per bin, Σ max(0, len/v − len/v_ff): a bin faster than
/// free flow adds 0 and never cancels the lost time of a slower bin, so it is 0 exactly when v ≥ v_ff on every
/// timed bin, and ≥ <see cref="ObservedTravelTimeSeconds"/> − <see cref="FreeFlowTravelTimeSeconds"/> (equal when
/// no timed bin is faster than free flow). All three are over <see cref="TimedLengthMeters"/>, not yet scaled.
/// </summary>
public sealed record SectionMatch(
    string SectionId,
    string Direction,
    double LengthMeters,
    int BinCount,
    int MatchedBinCount,
    double Coverage,
    double CoveredLengthMeters,
    double ObservedTravelTimeSeconds,
    double FreeFlowTravelTimeSeconds,
    double DelaySeconds,
    double TimedLengthMeters,
    bool ClosureSeen,
    IReadOnlyList<string> SourcePieceIds);

/// <summary>Result of matching one cycle's pieces onto the corridor.</summary>
public sealed record CorridorMatch(
    IReadOnlyList<SectionMatch> Sections,
    IReadOnlyList<PieceMatch> Pieces,
    int DroppedLowConfidence,
    int DuplicatePieces)
{
    public SectionMatch Section(string sectionId) => Sections.First(s => s.SectionId == sectionId);
    public PieceMatch? Piece(string pieceId) => Pieces.FirstOrDefault(p => p.PieceId == pieceId);
}

/// <summary>
/// Map-matches provider flow pieces onto the corridor's sections (docs/METHODOLOGY.md §2). Build once per corridor: it cuts
/// each section into equal bins of at most <see cref="MatchingParameters.BinLengthMeters"/>, projects them to a
/// local plane, and indexes them in a grid whose cell is the match distance, so a cycle only tests bins near a
/// piece. Thread-safe: <see cref="Match"/> allocates its own scratch state.
/// </summary>
/// <remarks>
/// Rules: a bin takes a piece only if some segment of the piece whose bearing is within the tolerance of the bin's
/// bearing passes within the match distance of the bin centre (a U-shaped ramp cannot win through its other leg;
/// the opposite carriageway, 180° off, never matches). Where pieces overlap on a bin, the higher confidence wins,
/// then the nearer, then the lower PieceId (deterministic). Pieces with the same PieceId count once. Pieces below
/// the confidence floor are dropped and counted.
/// </remarks>
public sealed class CorridorMatcher
{
    private readonly LocalProjection _projection;
    private readonly double[] _binX;
    private readonly double[] _binY;
    private readonly double[] _binBearingDeg;
    private readonly int[] _binSection;
    private readonly int[] _sectionFirstBin;
    private readonly int[] _sectionBinCount;
    private readonly double[] _sectionBinLengthMeters;
    private readonly Dictionary<long, int[]> _grid;
    private readonly double _cellMeters;

    public CorridorMatcher(CorridorDefinition corridor, MatchingParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(corridor);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(parameters.BinLengthMeters > 0) || !(parameters.MatchDistanceMeters > 0))
            throw new ArgumentException("Bin length and match distance must be positive.", nameof(parameters));

        Corridor = corridor;
        Parameters = parameters;
        _projection = LocalProjection.Around(corridor.Sections.SelectMany(s => s.Geometry));
        _cellMeters = parameters.MatchDistanceMeters;

        var xs = new List<double>();
        var ys = new List<double>();
        var bearings = new List<double>();
        var owner = new List<int>();
        var n = corridor.Sections.Count;
        _sectionFirstBin = new int[n];
        _sectionBinCount = new int[n];
        _sectionBinLengthMeters = new double[n];
        for (var s = 0; s < n; s++)
        {
            var section = corridor.Sections[s];
            var px = section.Geometry.Select(_projection.XMeters).ToArray();
            var py = section.Geometry.Select(_projection.YMeters).ToArray();
            var cumulative = new double[px.Length];
            for (var i = 1; i < px.Length; i++)
                cumulative[i] = cumulative[i - 1] + Math.Sqrt(Sq(px[i] - px[i - 1]) + Sq(py[i] - py[i - 1]));
            var geometryLength = cumulative[^1];
            var binCount = Math.Max(1, (int)Math.Ceiling(geometryLength / parameters.BinLengthMeters));
            var step = geometryLength / binCount;

            _sectionFirstBin[s] = xs.Count;
            _sectionBinCount[s] = binCount;
            // Bins carry the section's DECLARED length (the geometry is within 2% of it, checked at load), so a
            // fully covered section's times are exactly length / speed.
            _sectionBinLengthMeters[s] = section.LengthMeters / binCount;
            for (var b = 0; b < binCount; b++)
            {
                var (cx, cy) = At(px, py, cumulative, (b + 0.5) * step);
                var (sx, sy) = At(px, py, cumulative, b * step);
                var (ex, ey) = At(px, py, cumulative, (b + 1) * step);
                xs.Add(cx);
                ys.Add(cy);
                // The bin's bearing is its own 10 m chord: follows curves, ignores OSM node jitter.
                bearings.Add(ex == sx && ey == sy ? section.MeanBearingDeg : LocalProjection.PlanarBearingDeg(ex - sx, ey - sy));
                owner.Add(s);
            }
        }

        _binX = xs.ToArray();
        _binY = ys.ToArray();
        _binBearingDeg = bearings.ToArray();
        _binSection = owner.ToArray();

        var cells = new Dictionary<long, List<int>>();
        for (var b = 0; b < _binX.Length; b++)
        {
            var key = CellKey(Cell(_binX[b]), Cell(_binY[b]));
            if (!cells.TryGetValue(key, out var list)) cells[key] = list = [];
            list.Add(b);
        }
        _grid = cells.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }

    public CorridorDefinition Corridor { get; }

    public MatchingParameters Parameters { get; }

    /// <summary>Total number of bins over all sections.</summary>
    public int BinCount => _binX.Length;

    /// <summary>
    /// Match one cycle's pieces (validated by <see cref="TomTomFlowParser"/>; duplicates allowed and counted once).
    /// Returns per section the matched bins, coverage, covered length, T_obs, T_ff and the per-bin clamped delay
    /// over the same bins, source
    /// piece ids and whether a closure was seen; per distinct piece its status and the sections it gave speeds to.
    /// </summary>
    /// <exception cref="ArgumentException">A piece without closure has a non-positive speed, or fewer than 2 points.</exception>
    public CorridorMatch Match(IReadOnlyList<FlowPiece> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);

        // Identical answers (same content id) count once, whichever probe returned them.
        var distinct = new List<FlowPiece>(pieces.Count);
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in pieces)
        {
            // The parsers refuse these; a piece built elsewhere must not smuggle an infinite travel time in. A closure
            // carries no speed into any sum, so it may lack a free-flow speed (HERE sends none on closed stretches).
            if ((p.RoadClosure ? !(p.CurrentSpeedKmh >= 0) || !(p.FreeFlowSpeedKmh >= 0)
                               : !(p.CurrentSpeedKmh > 0) || !(p.FreeFlowSpeedKmh > 0)) || p.Coordinates.Count < 2)
                throw new ArgumentException($"Piece {p.PieceId} has a non-positive speed or fewer than 2 points; validate it first.", nameof(pieces));
            if (occurrences.TryGetValue(p.PieceId, out var count))
            {
                occurrences[p.PieceId] = count + 1;
                continue;
            }
            occurrences[p.PieceId] = 1;
            distinct.Add(p);
        }
        var duplicates = pieces.Count - distinct.Count;

        var bestPiece = new int[_binX.Length];
        var bestDistance = new double[_binX.Length];
        Array.Fill(bestPiece, -1);

        var dropped = 0;
        for (var k = 0; k < distinct.Count; k++)
        {
            var piece = distinct[k];
            if (piece.Confidence < Parameters.ConfidenceFloor)
            {
                dropped++;
                continue;
            }
            MatchPiece(k, distinct, bestPiece, bestDistance);
        }

        var sections = new List<SectionMatch>(Corridor.Sections.Count);
        var sectionsOfPiece = new List<string>?[distinct.Count];
        for (var s = 0; s < Corridor.Sections.Count; s++)
        {
            var section = Corridor.Sections[s];
            var binLength = _sectionBinLengthMeters[s];
            var first = _sectionFirstBin[s];
            var count = _sectionBinCount[s];
            int matched = 0, timed = 0;
            double observedSeconds = 0, freeFlowSeconds = 0, delaySeconds = 0;
            var closure = false;
            var sources = new List<string>();
            for (var b = first; b < first + count; b++)
            {
                var k = bestPiece[b];
                if (k < 0) continue;
                matched++;
                var piece = distinct[k];
                if (!sources.Contains(piece.PieceId))
                {
                    sources.Add(piece.PieceId);
                    (sectionsOfPiece[k] ??= []).Add(section.Id);
                }
                if (piece.RoadClosure)
                {
                    // A closure is not a speed: it never enters a travel-time sum.
                    closure = true;
                    continue;
                }
                timed++;
                var binObservedSeconds = binLength / Units.KmhToMetersPerSecond(piece.CurrentSpeedKmh);
                var binFreeFlowSeconds = binLength / Units.KmhToMetersPerSecond(piece.FreeFlowSpeedKmh);
                observedSeconds += binObservedSeconds;
                freeFlowSeconds += binFreeFlowSeconds;
                // Clamped per bin: a stretch faster than free flow does not earn back time lost in a queue elsewhere.
                delaySeconds += Math.Max(0, binObservedSeconds - binFreeFlowSeconds);
            }
            sections.Add(new SectionMatch(
                section.Id,
                section.Direction,
                section.LengthMeters,
                count,
                matched,
                (double)matched / count,
                matched * binLength,
                observedSeconds,
                freeFlowSeconds,
                delaySeconds,
                timed * binLength,
                closure,
                sources));
        }

        var pieceMatches = new List<PieceMatch>(distinct.Count);
        for (var k = 0; k < distinct.Count; k++)
        {
            var p = distinct[k];
            var status = p.Confidence < Parameters.ConfidenceFloor ? PieceMatchStatus.LowConfidence
                : sectionsOfPiece[k] is null ? PieceMatchStatus.Unmatched
                : PieceMatchStatus.Matched;
            pieceMatches.Add(new PieceMatch(p.PieceId, status, occurrences[p.PieceId], p.Confidence, p.RoadClosure,
                (IReadOnlyList<string>?)sectionsOfPiece[k] ?? []));
        }

        return new CorridorMatch(sections, pieceMatches, dropped, duplicates);
    }

    private void MatchPiece(int k, List<FlowPiece> distinct, int[] bestPiece, double[] bestDistance)
    {
        var piece = distinct[k];
        var coords = piece.Coordinates;
        var maxDistance = Parameters.MatchDistanceMeters;
        var tolerance = Parameters.BearingToleranceDeg;
        var ax = _projection.XMeters(coords[0]);
        var ay = _projection.YMeters(coords[0]);
        for (var i = 1; i < coords.Count; i++)
        {
            var bx = _projection.XMeters(coords[i]);
            var by = _projection.YMeters(coords[i]);
            if (ax == bx && ay == by) continue; // a repeated point has no direction
            var bearing = LocalProjection.PlanarBearingDeg(bx - ax, by - ay);

            int cx0 = Cell(Math.Min(ax, bx) - maxDistance), cx1 = Cell(Math.Max(ax, bx) + maxDistance);
            int cy0 = Cell(Math.Min(ay, by) - maxDistance), cy1 = Cell(Math.Max(ay, by) + maxDistance);
            for (var cx = cx0; cx <= cx1; cx++)
            {
                for (var cy = cy0; cy <= cy1; cy++)
                {
                    if (!_grid.TryGetValue(CellKey(cx, cy), out var bins)) continue;
                    foreach (var b in bins)
                    {
                        if (Geo.BearingDifferenceDeg(bearing, _binBearingDeg[b]) > tolerance) continue;
                        var d = LocalProjection.PointSegmentDistanceMeters(_binX[b], _binY[b], ax, ay, bx, by);
                        if (d > maxDistance) continue;
                        Offer(b, k, d, distinct, bestPiece, bestDistance);
                    }
                }
            }
            ax = bx;
            ay = by;
        }
    }

    private static void Offer(int bin, int k, double distance, List<FlowPiece> distinct, int[] bestPiece, double[] bestDistance)
    {
        var current = bestPiece[bin];
        if (current == k)
        {
            bestDistance[bin] = Math.Min(bestDistance[bin], distance);
            return;
        }
        if (current >= 0)
        {
            var incumbent = distinct[current];
            var challenger = distinct[k];
            if (challenger.Confidence < incumbent.Confidence) return;
            if (challenger.Confidence == incumbent.Confidence)
            {
                if (distance > bestDistance[bin]) return;
                if (distance == bestDistance[bin] &&
                    string.CompareOrdinal(challenger.PieceId, incumbent.PieceId) > 0) return;
            }
        }
        bestPiece[bin] = k;
        bestDistance[bin] = distance;
    }

    private int Cell(double meters) => (int)Math.Floor(meters / _cellMeters);

    private static long CellKey(int cx, int cy) => ((long)cx << 32) ^ (uint)cy;

    private static (double X, double Y) At(double[] px, double[] py, double[] cumulative, double distance)
    {
        if (distance <= 0) return (px[0], py[0]);
        for (var i = 1; i < px.Length; i++)
        {
            if (cumulative[i] >= distance && cumulative[i] > cumulative[i - 1])
            {
                var f = (distance - cumulative[i - 1]) / (cumulative[i] - cumulative[i - 1]);
                return (px[i - 1] + f * (px[i] - px[i - 1]), py[i - 1] + f * (py[i] - py[i - 1]));
            }
        }
        return (px[^1], py[^1]);
    }

    private static double Sq(double v) => v * v;
}
