using System.Text.RegularExpressions;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;

namespace Ayalon.Functions.Telemetry;

/// <summary>
/// Removes credentials carried in URL query strings from telemetry before it leaves the process. Application
/// Insights dependency tracking records every outgoing HTTP call with its full URL — for TomTom that is
/// <c>…&amp;key=&lt;the API key&gt;</c> — and request telemetry may carry a function key (<c>code=</c>) or a SAS
/// signature (<c>sig=</c>). The value is replaced by <c>***</c> in URLs, names, messages and properties.
/// </summary>
public static partial class TelemetryRedaction
{
    public const string Mask = "***";

    // key (TomTom), apiKey (HERE), api-key/subscription-key (other APIs), code (function keys), sig (SAS), access_token.
    [GeneratedRegex(@"(?<name>(?:^|[?&;]|\\u0026)(?:key|api[-_]?key|subscription[-_]key|code|sig|access_token)(?:=|%3D))(?<value>[^&;#\s""'<>)]+)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretQueryValue();

    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Contains('=', StringComparison.Ordinal) && !text.Contains("%3D", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }
        return SecretQueryValue().Replace(text, m => m.Groups["name"].Value + Mask);
    }

    public static Uri? Redact(Uri? uri)
    {
        if (uri is null) return null;
        var original = uri.IsAbsoluteUri ? uri.AbsoluteUri : uri.OriginalString;
        var redacted = Redact(original);
        return ReferenceEquals(redacted, original) || redacted == original ? uri : new Uri(redacted!, UriKind.RelativeOrAbsolute);
    }

    /// <summary>Redacts every text field of an item that can hold a URL.</summary>
    public static void Apply(ITelemetry item)
    {
        switch (item)
        {
            case DependencyTelemetry d:
                d.Data = Redact(d.Data);
                d.Name = Redact(d.Name);
                d.Target = Redact(d.Target);
                break;
            case RequestTelemetry r:
                r.Url = Redact(r.Url);
                r.Name = Redact(r.Name);
                break;
            case TraceTelemetry t:
                t.Message = Redact(t.Message);
                break;
            case ExceptionTelemetry e:
                e.Message = Redact(e.Message);
                foreach (var detail in e.ExceptionDetailsInfoList) detail.Message = Redact(detail.Message);
                break;
            case EventTelemetry ev:
                ev.Name = Redact(ev.Name);
                break;
            case PageViewTelemetry p:
                p.Url = Redact(p.Url);
                break;
            case AvailabilityTelemetry a:
                a.Message = Redact(a.Message);
                break;
        }
        if (item is ISupportProperties { Properties: { Count: > 0 } properties })
        {
            foreach (var name in properties.Keys.ToList())
            {
                var value = properties[name];
                var redacted = Redact(value);
                if (!ReferenceEquals(value, redacted) && value != redacted) properties[name] = redacted!;
            }
        }
    }
}

/// <summary>The last step before the channel: every item, including the SDK's own dependency and request items.</summary>
public sealed class RedactingTelemetryProcessor(ITelemetryProcessor next) : ITelemetryProcessor
{
    public void Process(ITelemetry item)
    {
        TelemetryRedaction.Apply(item);
        next.Process(item);
    }
}

/// <summary>
/// Stamps the running collection cycle's id on traces, dependencies, events and exceptions recorded during it, so
/// "everything about cycle X" is one query (pre-aggregated metrics carry no per-cycle dimension by design).
/// </summary>
public sealed class CycleTelemetryInitializer : ITelemetryInitializer
{
    public const string CycleIdProperty = "CycleId";

    public void Initialize(ITelemetry telemetry)
    {
        if (telemetry is MetricTelemetry) return; // aggregated across cycles
        if (Ayalon.Core.Collection.CycleContext.CurrentCycleId is { } cycleId &&
            telemetry is ISupportProperties withProperties &&
            !withProperties.Properties.ContainsKey(CycleIdProperty))
        {
            withProperties.Properties[CycleIdProperty] = cycleId;
        }
    }
}
