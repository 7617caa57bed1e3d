using System.Globalization;
using System.Text;
using System.Text.Json;
using Ayalon.Core.Impact;
using Ayalon.Core.Traffic.Here;
using BenchmarkDotNet.Attributes;

namespace Ayalon.Benchmarks;

/// <summary>
/// Parsing one whole-bbox HERE <c>/v7/flow</c> answer of ~2 MB (1,200 results, 4 links of 10 points each, 3
/// subSegments per result: ~3,600 pieces), the size a city-wide bbox returns. Compared with a bare
/// <see cref="JsonDocument"/> parse of the same bytes, the floor any DOM-based reader pays.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class HereParseBenchmarks
{
    private byte[] _body = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = Encoding.UTF8.GetBytes(Body(1200));
        var parsed = HereFlowParser.Parse(_body, "bench", ImpactConstants.Default.ConfidenceFloor);
        if (!parsed.IsOk || parsed.Pieces.Count != 3600)
            throw new InvalidOperationException($"benchmark body did not parse as expected: {parsed.Error} ({parsed.Pieces.Count} pieces)");
        Console.WriteLine($"// HERE benchmark body: {_body.Length:N0} bytes, {parsed.Pieces.Count:N0} pieces");
    }

    [Benchmark(Description = "HereFlowParser.Parse, ~2 MB body, 1,200 results → 3,600 pieces")]
    public int Parse() => HereFlowParser.Parse(_body, "bench", ImpactConstants.Default.ConfidenceFloor).Pieces.Count;

    [Benchmark(Baseline = true, Description = "JsonDocument.Parse of the same bytes (the DOM floor)")]
    public int DomOnly()
    {
        using var doc = JsonDocument.Parse(_body);
        return doc.RootElement.GetProperty("results").GetArrayLength();
    }

    internal static string Body(int results)
    {
        var sb = new StringBuilder(results * 1800);
        sb.Append("{\"sourceUpdated\":\"2026-11-30T06:45:00Z\",\"results\":[");
        for (var r = 0; r < results; r++)
        {
            if (r > 0) sb.Append(',');
            var lat0 = 31.8 + (r / 40) * 0.01;
            var lng0 = 34.6 + (r % 40) * 0.01;
            sb.Append("{\"location\":{\"description\":\"synthetic road ").Append(r).Append("\",\"length\":1300.0,\"shape\":{\"links\":[");
            for (var l = 0; l < 4; l++)
            {
                if (l > 0) sb.Append(',');
                sb.Append("{\"points\":[");
                for (var p = 0; p < 10; p++)
                {
                    if (p > 0) sb.Append(',');
                    var i = l * 9 + p; // consecutive links share their joint point
                    sb.Append(CultureInfo.InvariantCulture, $"{{\"lat\":{lat0 + i * 0.00025:0.000000},\"lng\":{lng0 + i * 0.00011:0.000000}}}");
                }
                sb.Append("],\"length\":325.0,\"functionalClass\":").Append(1 + r % 2).Append('}');
            }
            var v = 8 + r % 15;
            sb.Append(CultureInfo.InvariantCulture,
                $"]}}}},\"currentFlow\":{{\"speed\":{v},\"speedUncapped\":{v}.4,\"freeFlow\":25.0,\"jamFactor\":3.1,\"confidence\":0.93,\"traversability\":\"open\",\"subSegments\":[");
            for (var k = 0; k < 3; k++)
            {
                if (k > 0) sb.Append(',');
                sb.Append(CultureInfo.InvariantCulture,
                    $"{{\"length\":{400 + k * 50},\"speed\":{v + k},\"speedUncapped\":{v + k}.4,\"freeFlow\":25.0,\"jamFactor\":3.1,\"confidence\":0.9{k + 1},\"traversability\":\"open\"}}");
            }
            sb.Append("]}}");
        }
        sb.Append("]}");
        return sb.ToString();
    }
}
