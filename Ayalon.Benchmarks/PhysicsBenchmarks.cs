using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Traffic;
using BenchmarkDotNet.Attributes;

namespace Ayalon.Benchmarks;

/// <summary>
/// One collection cycle's physics: 6 sections, 2 long pieces (the real 9.6 km northbound TomTom answer of
/// 2026-09-15 and a synthetic piece along the whole southbound carriageway). Target: under 2 ms.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class MatchingBenchmarks
{
    private CorridorDefinition _corridor = null!;
    private CorridorMatcher _matcher = null!;
    private ImpactCalculator _calculator = null!;
    private List<FlowPiece> _pieces = null!;
    private readonly DateTimeOffset _at = new(2026, 9, 15, 9, 42, 42, TimeSpan.Zero);

    [GlobalSetup]
    public void Setup()
    {
        _corridor = CorridorLoader.LoadDefault();
        var constants = ImpactConstants.Default;
        _matcher = new CorridorMatcher(_corridor, MatchingParameters.From(constants));
        _calculator = new ImpactCalculator(constants);

        var body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "tomtom", "2026-09-15", "arlozorov.body.json"));
        var north = TomTomFlowParser.Parse(body).Piece ?? throw new InvalidOperationException("fixture did not parse");
        var southPoints = _corridor.InDirection("southbound").SelectMany(s => s.Geometry).ToList();
        var south = new FlowPiece(TomTomFlowParser.PieceIdOf(southPoints, 55, 90, false), "bench", "FRC0", 55, 90,
            400, 250, 1, false, southPoints);
        _pieces = [north, south];
    }

    [Benchmark(Description = "Match one cycle (6 sections, 2 long pieces)")]
    public CorridorMatch MatchCycle() => _matcher.Match(_pieces);

    [Benchmark(Description = "Match + compute one cycle")]
    public CycleImpact ComputeCycle() => _calculator.ComputeCycle(_matcher, _pieces, _at);

    [Benchmark(Description = "Build the matcher (once per corridor)")]
    public CorridorMatcher BuildMatcher() => new(_corridor, MatchingParameters.From(ImpactConstants.Default));
}

/// <summary>
/// A year of 5-minute observations for 6 sections (6 × 105,120 samples, with gaps and invalid cycles), integrated
/// by step-hold with a volume profile into UTC-hour and local-day buckets. Target: under 1 s.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class IntegrationBenchmarks
{
    private StepHoldIntegrator _integrator = null!;
    private VolumeProfile _profile = null!;
    private List<(string Direction, List<DelaySample> Samples)> _series = null!;
    private readonly DateTimeOffset _from = new(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(2));
    private DateTimeOffset _to;

    [GlobalSetup]
    public void Setup()
    {
        _integrator = new StepHoldIntegrator(ImpactConstants.Default);
        _profile = VolumeProfile.LoadFile(Path.Combine(AppContext.BaseDirectory, "Impact", "volume-profile.synthetic-demo.json"));
        _to = _from.AddYears(1);
        var corridor = CorridorLoader.LoadDefault();
        _series = corridor.Sections.Select((s, k) =>
        {
            var random = new Random(k);
            var samples = new List<DelaySample>();
            for (var t = _from; t < _to; t = t.AddMinutes(5))
            {
                if (random.NextDouble() < 0.01) continue; // a missed cycle: the hold covers it, up to 600 s
                double? delay = random.NextDouble() < 0.03 ? null : random.NextDouble() * 120;
                samples.Add(new DelaySample(t.AddSeconds(random.Next(0, 20)), delay, delay > 40));
            }
            return (s.Direction, samples);
        }).ToList();
    }

    [Benchmark(Description = "Integrate one year, 6 sections, hourly + daily buckets, with volumes")]
    public double IntegrateYear()
    {
        var vh = 0.0;
        foreach (var (direction, samples) in _series)
        {
            vh += _integrator.Integrate(samples, _from, _to, _profile, direction).Total.VehicleDelayHours ?? 0;
        }
        return vh;
    }

    [Benchmark(Description = "Incremental hour contributions for one year, 6 sections")]
    public double IncrementalYear()
    {
        var seconds = 0.0;
        foreach (var (direction, samples) in _series)
        {
            for (var i = 0; i < samples.Count; i++)
            {
                var until = i + 1 < samples.Count ? samples[i + 1].AtUtc : _to;
                foreach (var c in _integrator.Contributions(samples[i], until, _profile, direction)) seconds += c.ObservedSeconds;
            }
        }
        return seconds;
    }
}
