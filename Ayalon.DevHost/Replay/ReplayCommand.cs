using System.Globalization;
using System.Text.Json;
using Ayalon.Core.Api;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Traffic;

namespace Ayalon.DevHost.Replay;

/// <summary>
/// <c>replay</c>: run recorded provider answers through parse → validate → match → compute and print the cycle as
/// JSON, with no host, storage or network. Each answer is <c>NAME.body.json</c> plus an optional
/// <c>NAME.meta.json</c> (request point, response status and headers as the prototype recorded them).
/// </summary>
/// <remarks>Exit codes: 0 printed; 2 bad input (the message on stderr names the file and the problem).</remarks>
public static class ReplayCommand
{
    public const int ExitOk = 0;
    public const int ExitBadInput = 2;

    private const string BodySuffix = ".body.json";
    private const string MetaSuffix = ".meta.json";

    public const string Usage =
        "usage: replay --input <file.body.json | folder> [more files or folders] [--at <UTC time>] " +
        "[--corridor <corridor.json>] [--constants <impact-constants.json>] [--confidence-floor <0..1>]";

    // A console report for people: indented, and "©"/"—" printed as themselves (it is never embedded in HTML).
    private static readonly JsonSerializerOptions Output = new(AyalonJson.Options)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        time ??= TimeProvider.System;
        try
        {
            var options = ParseArgs(args);
            var corridor = options.CorridorPath is null ? CorridorLoader.LoadDefault() : CorridorLoader.LoadFile(options.CorridorPath);
            var constants = options.ConstantsPath is null ? ImpactConstants.Default : ImpactConstants.LoadFile(options.ConstantsPath);
            var answers = new List<Answer>();
            foreach (var file in ExpandInputs(options.Inputs))
            {
                answers.Add(await ReadAnswerAsync(file).ConfigureAwait(false));
            }

            var (observedAt, observedAtSource) = options.At is { } at ? (at, "--at")
                : answers.Where(a => a.ResponseDate is not null).Select(a => a.ResponseDate!.Value).DefaultIfEmpty().Max() is var latest && latest != default
                    ? (latest, "response date header")
                    : (time.GetUtcNow(), "clock (no --at and no response date header)");

            var matcher = new CorridorMatcher(corridor, MatchingParameters.From(constants, options.ConfidenceFloor));
            var pieces = answers.Where(a => a.Piece is not null).Select(a => a.Piece!).ToList();
            var match = matcher.Match(pieces);
            var cycle = new ImpactCalculator(constants).ComputeCycle(corridor, match, observedAt);

            var report = BuildReport(corridor, cycle, answers, observedAtSource);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(report, Output)).ConfigureAwait(false);
            return ExitOk;
        }
        catch (ReplayInputException ex)
        {
            await stderr.WriteLineAsync("replay: " + ex.Message).ConfigureAwait(false);
            return ExitBadInput;
        }
        catch (Exception ex) when (ex is CorridorValidationException or ImpactConfigurationException)
        {
            await stderr.WriteLineAsync("replay: " + ex.Message).ConfigureAwait(false);
            return ExitBadInput;
        }
    }

    private sealed record Options(IReadOnlyList<string> Inputs, DateTimeOffset? At, string? CorridorPath, string? ConstantsPath, double? ConfidenceFloor);

    private sealed record Answer(
        string Name,
        string File,
        string Status,
        int? HttpStatus,
        string? TrackingId,
        DateTimeOffset? ResponseDate,
        string? RequestPoint,
        FlowPiece? Piece);

    private static Options ParseArgs(string[] args)
    {
        var inputs = new List<string>();
        DateTimeOffset? at = null;
        string? corridor = null, constants = null;
        double? floor = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--input":
                    var before = inputs.Count;
                    while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) inputs.Add(args[++i]);
                    if (inputs.Count == before) throw new ReplayInputException("--input needs at least one file or folder. " + Usage);
                    break;
                case "--at":
                    var text = Value(args, ref i);
                    if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                        throw new ReplayInputException($"--at '{text}' is not a time (use ISO 8601, e.g. 2026-09-15T09:42:42Z).");
                    at = parsed;
                    break;
                case "--corridor":
                    corridor = Value(args, ref i);
                    break;
                case "--constants":
                    constants = Value(args, ref i);
                    break;
                case "--confidence-floor":
                    var f = Value(args, ref i);
                    if (!double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v is < 0 or > 1)
                        throw new ReplayInputException($"--confidence-floor '{f}' is not a number in [0, 1].");
                    floor = v;
                    break;
                default:
                    throw new ReplayInputException($"unknown argument '{args[i]}'. " + Usage);
            }
        }
        if (inputs.Count == 0) throw new ReplayInputException("no input given. " + Usage);
        return new Options(inputs, at, corridor, constants, floor);
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new ReplayInputException($"{args[i]} needs a value. " + Usage);
        return args[++i];
    }

    private static IEnumerable<string> ExpandInputs(IReadOnlyList<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var found = Directory.GetFiles(input, "*" + BodySuffix).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new ReplayInputException($"folder '{input}' holds no *{BodySuffix} files.");
                files.AddRange(found);
            }
            else if (File.Exists(input))
            {
                if (input.EndsWith(MetaSuffix, StringComparison.Ordinal))
                    throw new ReplayInputException($"'{input}' is a meta file; pass the matching {BodySuffix} (its meta is read with it).");
                files.Add(input);
            }
            else
            {
                throw new ReplayInputException($"'{input}' does not exist.");
            }
        }
        return files;
    }

    private static async Task<Answer> ReadAnswerAsync(string bodyPath)
    {
        var name = Path.GetFileName(bodyPath);
        name = name.EndsWith(BodySuffix, StringComparison.Ordinal) ? name[..^BodySuffix.Length] : Path.GetFileNameWithoutExtension(name);
        var metaPath = bodyPath.EndsWith(BodySuffix, StringComparison.Ordinal) ? bodyPath[..^BodySuffix.Length] + MetaSuffix : null;

        int? httpStatus = null;
        string? trackingId = null, point = null;
        DateTimeOffset? date = null;
        if (metaPath is not null && File.Exists(metaPath))
        {
            try
            {
                using var meta = JsonDocument.Parse(await File.ReadAllBytesAsync(metaPath).ConfigureAwait(false));
                var root = meta.RootElement;
                if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object)
                {
                    if (response.TryGetProperty("status", out var s))
                    {
                        if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out var status))
                            throw new ReplayInputException($"'{metaPath}': response.status is not an HTTP status code.");
                        httpStatus = status;
                    }
                    if (response.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
                    {
                        trackingId = Header(headers, "tracking-id");
                        var dateText = Header(headers, "date");
                        if (dateText is not null)
                        {
                            if (!DateTimeOffset.TryParseExact(dateText, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d))
                                throw new ReplayInputException($"'{metaPath}': response date header '{dateText}' is not an HTTP date.");
                            date = d.ToUniversalTime();
                        }
                    }
                }
                if (root.TryGetProperty("request", out var request) && request.TryGetProperty("query", out var query) &&
                    query.TryGetProperty("point", out var p) && p.ValueKind == JsonValueKind.String)
                {
                    point = p.GetString();
                }
            }
            catch (JsonException ex)
            {
                throw new ReplayInputException($"'{metaPath}' is not valid JSON (line {ex.LineNumber}).");
            }
        }

        if (httpStatus is { } code && code is < 200 or >= 300)
        {
            // A recorded provider refusal is a real answer, not bad input: classify it like the live client does.
            var status = code switch
            {
                400 => ProviderStatus.NoCoverage,
                401 or 403 => ProviderStatus.AuthError,
                429 => ProviderStatus.RateLimited,
                _ => ProviderStatus.HttpError,
            };
            return new Answer(name, bodyPath, status, code, trackingId, date, point, null);
        }

        var parsed = TomTomFlowParser.Parse(await File.ReadAllBytesAsync(bodyPath).ConfigureAwait(false), trackingId);
        if (!parsed.IsOk)
            throw new ReplayInputException($"'{bodyPath}': {ProviderStatus.ParseError}: {parsed.Error}.");
        return new Answer(name, bodyPath, ProviderStatus.Ok, httpStatus, trackingId, date, point, parsed.Piece);
    }

    private static string? Header(JsonElement headers, string name)
    {
        foreach (var h in headers.EnumerateObject())
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase) && h.Value.ValueKind == JsonValueKind.String)
                return h.Value.GetString();
        }
        return null;
    }

    private static object BuildReport(CorridorDefinition corridor, CycleImpact cycle, IReadOnlyList<Answer> answers, string observedAtSource)
    {
        var firstByPiece = new Dictionary<string, string>(StringComparer.Ordinal);
        var pieces = answers.Select(a =>
        {
            var m = a.Piece is null ? null : cycle.Pieces.FirstOrDefault(p => p.PieceId == a.Piece.PieceId);
            string? duplicateOf = null;
            if (a.Piece is not null && !firstByPiece.TryAdd(a.Piece.PieceId, a.Name)) duplicateOf = firstByPiece[a.Piece.PieceId];
            return new
            {
                name = a.Name,
                status = a.Status,
                matchedSectionIds = m?.MatchedSectionIds ?? [],
                matchStatus = m?.Status,
                duplicateOf,
                pieceId = a.Piece?.PieceId,
                file = a.File,
                httpStatus = a.HttpStatus,
                trackingId = a.TrackingId,
                responseDateUtc = a.ResponseDate,
                requestPoint = a.RequestPoint,
                frc = a.Piece?.FunctionalRoadClass,
                currentSpeedKmh = a.Piece?.CurrentSpeedKmh,
                freeFlowSpeedKmh = a.Piece?.FreeFlowSpeedKmh,
                confidence = a.Piece?.Confidence,
                roadClosure = a.Piece?.RoadClosure,
            };
        }).ToList();

        return new
        {
            methodologyVersion = cycle.MethodologyVersion,
            constantsVersion = cycle.ConstantsVersion,
            observedAtUtc = cycle.ObservedAtUtc,
            observedAtSource,
            corridor = corridor.Name,
            geometryLicense = corridor.License,
            attribution = corridor.Attribution,
            droppedLowConfidence = cycle.DroppedLowConfidence,
            duplicatePieces = cycle.DuplicatePieces,
            sections = cycle.Sections.Select(s => new
            {
                sectionId = s.SectionId,
                direction = s.Direction,
                state = s.State,
                coverage = Round(s.Coverage),
                travelTimeSeconds = Round(s.TravelTimeSeconds),
                freeFlowTimeSeconds = Round(s.FreeFlowTimeSeconds),
                delaySeconds = Round(s.DelaySeconds),
                speedKmh = Round(s.SpeedKmh),
                freeFlowSpeedKmh = Round(s.FreeFlowSpeedKmh),
                congested = s.Congested,
                from = s.From,
                to = s.To,
                lengthMeters = s.LengthMeters,
                coveredLengthMeters = Round(s.CoveredLengthMeters),
                sourcePieceIds = s.SourcePieceIds,
                observedAtUtc = s.ObservedAtUtc,
            }),
            directions = cycle.Directions.Select(d => new
            {
                direction = d.Direction,
                state = d.State,
                reason = d.Reason,
                sectionIds = d.SectionIds,
                lengthMeters = Round(d.LengthMeters),
                travelTimeSeconds = Round(d.TravelTimeSeconds),
                freeFlowTimeSeconds = Round(d.FreeFlowTimeSeconds),
                delaySeconds = Round(d.DelaySeconds),
                speedKmh = Round(d.SpeedKmh),
                freeFlowSpeedKmh = Round(d.FreeFlowSpeedKmh),
                congested = d.Congested,
            }),
            pieces,
        };
    }

    /// <summary>Output is for people and diffs: millisecond / millimetre resolution is more than the data has.</summary>
    private static double? Round(double? v) => v is { } x ? Math.Round(x, 3) : null;

    private sealed class ReplayInputException(string message) : Exception(message);
}
