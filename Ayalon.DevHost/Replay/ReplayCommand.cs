using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.ReadModels;
using Ayalon.Core.Traffic.Here;
using Ayalon.Core.Traffic;
using Ayalon.DevHost.Cli;

namespace Ayalon.DevHost.Replay;

/// <summary>
/// <c>replay</c>: run recorded provider answers through parse → validate → match → compute and print the cycle as
/// JSON, with no host, storage or network. Each answer is <c>NAME.body.json</c> plus an optional
/// <c>NAME.meta.json</c> (request path and query, response status and headers). The provider is recognised per
/// answer — a HERE <c>/v7/flow</c> body by its top-level <c>results</c>, a TomTom Flow Segment Data body by its
/// <c>flowSegmentData</c>, an error body by the meta's request path or the provider's error shape — so one folder
/// may hold both. A recorded refusal (non-2xx) is classified by that provider's own classifier, as the live client
/// does.
/// </summary>
/// <remarks>Exit codes: 0 printed; 2 bad input (the message on stderr names the file and the problem).</remarks>
public static class ReplayCommand
{
    public const string Name = "replay";
    public const int ExitOk = 0;
    public const int ExitBadInput = CommandLineRunner.ExitBadArguments;

    private const string BodySuffix = ".body.json";
    private const string MetaSuffix = ".meta.json";

    // A console report for people: indented, and "©"/"—" printed as themselves (it is never embedded in HTML).
    private static readonly JsonSerializerOptions Output = new(AyalonJson.Options)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Runs <c>replay</c> with the arguments after the command name (tests call it in-process).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider? time = null) =>
        CommandLineRunner.InvokeAsync(Create(time), args, stdout, stderr);

    public static Command Create(TimeProvider? time = null)
    {
        var inputs = new Option<string[]>("--input")
        {
            Description = "Recorded answers: NAME.body.json files or folders of them (a NAME.meta.json beside a body is read with it).",
            HelpName = "file|folder",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var at = new Option<DateTimeOffset?>("--at")
        {
            Description = "Observation time (UTC, ISO 8601). Default: the latest response date header, else HERE sourceUpdated, else now.",
            HelpName = "UTC time",
            CustomParser = r =>
            {
                var text = r.Tokens[0].Value;
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                    return parsed;
                r.AddError($"--at '{text}' is not a time (use ISO 8601, e.g. 2026-09-15T09:42:42Z).");
                return null;
            },
        };
        var corridor = new Option<string>("--corridor") { Description = "Corridor definition to match against (default: the built-in Ayalon corridor).", HelpName = "corridor.json" };
        var constants = new Option<string>("--constants") { Description = "Impact constants (default: the built-in ones).", HelpName = "impact-constants.json" };
        var floor = new Option<double?>("--confidence-floor")
        {
            Description = "Drop pieces whose provider confidence is below this (default: the constants' floor).",
            HelpName = "0..1",
            CustomParser = r =>
            {
                var text = r.Tokens[0].Value;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 1) return v;
                r.AddError($"--confidence-floor '{text}' is not a number in [0, 1].");
                return null;
            },
        };
        var command = new Command(Name,
            "Recompute recorded HERE /v7/flow and TomTom answers offline (parse → validate → match → compute) and print the cycle as JSON. " +
            "Exit 0 printed; 2 bad input (the message names the file and the problem).")
        {
            inputs, at, corridor, constants, floor,
        };
        command.SetAction((result, _) => RunAsync(
            new Options(result.GetRequiredValue(inputs), result.GetValue(at), result.GetValue(corridor), result.GetValue(constants), result.GetValue(floor)),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, time ?? TimeProvider.System));
        return command;
    }

    private static async Task<int> RunAsync(Options options, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        try
        {
            var corridor = options.CorridorPath is null ? CorridorLoader.LoadDefault() : CorridorLoader.LoadFile(options.CorridorPath);
            var constants = options.ConstantsPath is null ? ImpactConstants.Default : ImpactConstants.LoadFile(options.ConstantsPath);
            var floor = options.ConfidenceFloor ?? constants.ConfidenceFloor;
            var answers = new List<Answer>();
            foreach (var file in ExpandInputs(options.Inputs))
            {
                answers.Add(await ReadAnswerAsync(file, floor).ConfigureAwait(false));
            }

            var (observedAt, observedAtSource) = options.At is { } at ? (at, "--at")
                : Latest(answers.Select(a => a.ResponseDate)) is { } latest ? (latest, "response date header")
                : Latest(answers.Select(a => a.SourceUpdated)) is { } updated ? (updated, "HERE sourceUpdated")
                : (time.GetUtcNow(), "clock (no --at, no response date header, no HERE sourceUpdated)");

            var matcher = new CorridorMatcher(corridor, MatchingParameters.From(constants, options.ConfidenceFloor));
            var pieces = answers.SelectMany(a => a.Pieces).ToList();
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

    private static DateTimeOffset? Latest(IEnumerable<DateTimeOffset?> times) =>
        times.Where(t => t is not null).Select(t => t!.Value).DefaultIfEmpty().Max() is var latest && latest != default ? latest : null;

    /// <summary>One recorded answer. <see cref="Origins"/> runs parallel to <see cref="Pieces"/> (HERE: "results[3]…").</summary>
    private sealed record Answer(
        string Name,
        string File,
        string Provider,
        string Status,
        string? Detail,
        int? HttpStatus,
        string? TrackingId,
        DateTimeOffset? ResponseDate,
        DateTimeOffset? SourceUpdated,
        string? RequestPoint,
        int? ResultCount,
        IReadOnlyList<FlowPiece> Pieces,
        IReadOnlyList<string?> Origins,
        int DroppedLowConfidence,
        int DuplicatePieces);

    private const string HereFlowPath = "/v7/flow";
    private const string TomTomFlowPathPart = "flowSegmentData";

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

    private static async Task<Answer> ReadAnswerAsync(string bodyPath, double confidenceFloor)
    {
        var name = Path.GetFileName(bodyPath);
        name = name.EndsWith(BodySuffix, StringComparison.Ordinal) ? name[..^BodySuffix.Length] : Path.GetFileNameWithoutExtension(name);
        var metaPath = bodyPath.EndsWith(BodySuffix, StringComparison.Ordinal) ? bodyPath[..^BodySuffix.Length] + MetaSuffix : null;

        int? httpStatus = null;
        string? trackingId = null, point = null, requestPath = null, correlationId = null;
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
                        correlationId = Header(headers, "x-correlation-id");
                        var dateText = Header(headers, "date");
                        if (dateText is not null)
                        {
                            if (!DateTimeOffset.TryParseExact(dateText, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d))
                                throw new ReplayInputException($"'{metaPath}': response date header '{dateText}' is not an HTTP date.");
                            date = d.ToUniversalTime();
                        }
                    }
                }
                if (root.TryGetProperty("request", out var request) && request.ValueKind == JsonValueKind.Object)
                {
                    if (request.TryGetProperty("path", out var path) && path.ValueKind == JsonValueKind.String) requestPath = path.GetString();
                    if (request.TryGetProperty("query", out var query) && query.ValueKind == JsonValueKind.Object &&
                        query.TryGetProperty("point", out var p) && p.ValueKind == JsonValueKind.String)
                    {
                        point = p.GetString();
                    }
                }
            }
            catch (JsonException ex)
            {
                throw new ReplayInputException($"'{metaPath}' is not valid JSON (line {ex.LineNumber}).");
            }
        }

        var body = await File.ReadAllBytesAsync(bodyPath).ConfigureAwait(false);
        var provider = ProviderOf(requestPath, body, httpStatus, bodyPath);
        // A recorded provider refusal is a real answer, not bad input; a 2xx body that fails the parse rules is bad input.
        var answeredStatus = httpStatus ?? 200;
        if (provider == HereFlowParser.ProviderName)
        {
            var tracking = correlationId ?? trackingId;
            var c = HereStatusClassifier.Classify(answeredStatus, body, tracking, confidenceFloor);
            if (c.Status == ProviderStatus.ParseError)
                throw new ReplayInputException($"'{bodyPath}': {ProviderStatus.ParseError}: {c.Detail}.");
            var parsed = c.Parsed;
            return new Answer(name, bodyPath, provider, c.Status, c.Detail, httpStatus, tracking ?? c.CorrelationId, date,
                parsed?.SourceUpdatedUtc, point, parsed?.ResultCount, c.Pieces, parsed?.PieceOrigins ?? [],
                parsed?.DroppedLowConfidence ?? 0, parsed?.DuplicatePieces ?? 0);
        }

        var t = TomTomStatusClassifier.Classify(answeredStatus, body, trackingId);
        if (t.Status == ProviderStatus.ParseError)
            throw new ReplayInputException($"'{bodyPath}': {ProviderStatus.ParseError}: {t.Detail}.");
        return new Answer(name, bodyPath, provider, t.Status, t.Detail, httpStatus, trackingId, date, null, point, null,
            t.Piece is null ? [] : [t.Piece], t.Piece is null ? [] : [null], 0, 0);
    }

    /// <summary>
    /// Which provider answered: the meta's request path when recorded, else the body's shape — a HERE flow body has
    /// a top-level <c>results</c>, a TomTom one <c>flowSegmentData</c>; their error bodies differ too (HERE
    /// <c>error_description</c> or <c>correlationId</c>, TomTom <c>httpStatusCode</c> or <c>detailedError</c>).
    /// </summary>
    private static string ProviderOf(string? requestPath, byte[] body, int? httpStatus, string bodyPath)
    {
        if (requestPath is not null)
        {
            if (requestPath.Contains(HereFlowPath, StringComparison.Ordinal)) return HereFlowParser.ProviderName;
            if (requestPath.Contains(TomTomFlowPathPart, StringComparison.Ordinal)) return TomTomFlowParser.ProviderName;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            var problem = $"body is not valid JSON (line {ex.LineNumber}, byte {ex.BytePositionInLine})";
            throw new ReplayInputException(httpStatus is null or (>= 200 and < 300)
                ? $"'{bodyPath}': {ProviderStatus.ParseError}: {problem}."
                : $"'{bodyPath}': {problem}, and no request path in a meta file says which provider answered.");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("results", out _)) return HereFlowParser.ProviderName;
                if (root.TryGetProperty("flowSegmentData", out _)) return TomTomFlowParser.ProviderName;
                if (root.TryGetProperty("httpStatusCode", out _) || root.TryGetProperty("detailedError", out _)) return TomTomFlowParser.ProviderName;
                if (root.TryGetProperty("error_description", out _) || root.TryGetProperty("correlationId", out _)) return HereFlowParser.ProviderName;
            }
        }
        throw new ReplayInputException(
            $"'{bodyPath}': {ProviderStatus.ParseError}: neither a HERE /v7/flow body (top-level 'results') nor a TomTom one ('flowSegmentData').");
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
        var pieces = answers.SelectMany(a => a.Pieces.Select((piece, k) =>
        {
            var origin = a.Origins[k];
            var name = origin is null ? a.Name : $"{a.Name}/{origin}";
            var m = cycle.Pieces.FirstOrDefault(p => p.PieceId == piece.PieceId);
            string? duplicateOf = null;
            if (!firstByPiece.TryAdd(piece.PieceId, name)) duplicateOf = firstByPiece[piece.PieceId];
            return new
            {
                name,
                answer = a.Name,
                origin,
                provider = piece.Provider,
                matchedSectionIds = m?.MatchedSectionIds ?? [],
                matchStatus = m?.Status,
                duplicateOf,
                pieceId = piece.PieceId,
                frc = piece.FunctionalRoadClass,
                currentSpeedKmh = Round(piece.CurrentSpeedKmh),
                freeFlowSpeedKmh = Round(piece.FreeFlowSpeedKmh),
                confidence = piece.Confidence,
                roadClosure = piece.RoadClosure,
            };
        })).ToList();

        var answerRows = answers.Select(a => new
        {
            name = a.Name,
            provider = a.Provider,
            status = a.Status,
            detail = a.Detail,
            file = a.File,
            httpStatus = a.HttpStatus,
            trackingId = a.TrackingId,
            responseDateUtc = a.ResponseDate,
            sourceUpdatedUtc = a.SourceUpdated,
            requestPoint = a.RequestPoint,
            results = a.ResultCount,
            pieces = a.Pieces.Count,
            droppedLowConfidence = a.DroppedLowConfidence,
            duplicatePieces = a.DuplicatePieces,
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
            // The parsers fold and drop some pieces before matching (HERE); the matcher the rest (TomTom).
            droppedLowConfidence = cycle.DroppedLowConfidence + answers.Sum(a => a.DroppedLowConfidence),
            duplicatePieces = cycle.DuplicatePieces + answers.Sum(a => a.DuplicatePieces),
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
            answers = answerRows,
            pieces,
        };
    }

    /// <summary>Output is for people and diffs: millisecond / millimetre resolution is more than the data has.</summary>
    private static double? Round(double? v) => v is { } x ? Math.Round(x, 3) : null;

    private sealed class ReplayInputException(string message) : Exception(message);
}
