using System.Diagnostics;
using System.Globalization;
using Ayalon.Core.Corridor;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Traffic;

/// <summary>What one HTTP exchange with the provider produced. The URL is recorded without the key.</summary>
public sealed record ProviderCall(
    string Status,
    int? HttpStatus,
    string RedactedUrl,
    double ElapsedMs,
    string? TrackingId,
    byte[]? Body,
    string? Detail);

/// <summary>Typed HttpClient for TomTom Traffic Flow Segment Data v4 (first version; step 3 completes it).</summary>
public sealed class TomTomClient(HttpClient http, IOptionsMonitor<TomTomOptions> options, TimeProvider time)
{
    public const string FlowPath = "/traffic/services/4/flowSegmentData/absolute/{0}/json";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.CurrentValue.ApiKey);

    public async Task<ProviderCall> GetFlowAsync(GeoPoint point, CancellationToken cancellationToken)
    {
        var o = options.CurrentValue;
        var pathAndQuery = string.Format(CultureInfo.InvariantCulture, FlowPath, o.Zoom) +
                           FormattableString.Invariant($"?point={point.LatitudeDeg:0.######},{point.LongitudeDeg:0.######}&unit=KMPH&openLr=false");
        var redacted = o.BaseUrl.TrimEnd('/') + pathAndQuery + "&key=***";
        if (string.IsNullOrWhiteSpace(o.ApiKey))
        {
            return new ProviderCall(ProviderStatus.NotConfigured, null, redacted, 0, null, null, "no TomTom key configured");
        }

        var url = new Uri(o.BaseUrl.TrimEnd('/') + pathAndQuery + "&key=" + Uri.EscapeDataString(o.ApiKey));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var trackingId = Guid.NewGuid().ToString();
        request.Headers.TryAddWithoutValidation("Tracking-ID", trackingId);
        var started = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(o.TimeoutSeconds));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started).TotalMilliseconds;
            var responseTracking = response.Headers.TryGetValues("Tracking-ID", out var values) ? values.FirstOrDefault() : trackingId;
            var status = (int)response.StatusCode switch
            {
                >= 200 and < 300 => ProviderStatus.Ok,
                400 => ProviderStatus.NoCoverage,
                401 or 403 => ProviderStatus.AuthError,
                429 => ProviderStatus.RateLimited,
                _ => ProviderStatus.HttpError,
            };
            return new ProviderCall(status, (int)response.StatusCode, redacted, elapsed, responseTracking, body, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProviderCall(ProviderStatus.NetworkError, null, redacted, time.GetElapsedTime(started).TotalMilliseconds, trackingId, null, "timeout");
        }
        catch (HttpRequestException ex)
        {
            Debug.Assert(ex is not null);
            return new ProviderCall(ProviderStatus.NetworkError, null, redacted, time.GetElapsedTime(started).TotalMilliseconds, trackingId, null,
                ex.HttpRequestError.ToString());
        }
    }
}
