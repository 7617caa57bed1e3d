using Ayalon.Core.Corridor;

namespace Ayalon.Core.Traffic;

/// <summary>
/// Asked by a provider before it sends a second attempt (a retry after a timeout, 5xx or network error). Return
/// true only if one more request was reserved in the quota ledger: every request the provider sends is charged.
/// </summary>
public delegate Task<bool> ReserveExtraAttempt(ProviderAttempt failedAttempt, CancellationToken cancellationToken);

/// <summary>
/// A traffic data source the collection cycle can ask for the flow at a point. TomTom today; another provider
/// (e.g. HERE) is one more implementation, with no change to the cycle.
/// </summary>
public interface ITrafficProvider
{
    /// <summary>Stable lower-case name: the quota ledger partition and the provenance label.</summary>
    string Name { get; }

    /// <summary>False when it is already known, without a network call, that no request can be made (no key).</summary>
    bool IsConfigured { get; }

    /// <summary>One attempt, no retry.</summary>
    Task<ProviderAnswer> GetFlowAsync(GeoPoint point, CancellationToken cancellationToken);

    /// <summary>
    /// One attempt, plus at most one retry when the first failed in a way worth retrying (timeout, 5xx, network)
    /// and <paramref name="reserveExtraAttempt"/> granted it. Caller cancellation throws; every other failure is an answer.
    /// </summary>
    Task<ProviderAnswer> GetFlowAsync(GeoPoint point, ReserveExtraAttempt? reserveExtraAttempt, CancellationToken cancellationToken);
}

/// <summary>
/// One HTTP exchange with a provider (or the failure to have one). Nothing here holds the provider key or exception
/// text: the URL is redacted, <see cref="ErrorDetail"/> is a short code ("timeout", "connection_refused", "http_503",
/// the provider's own error code) or a parse-rule message of ours.
/// </summary>
public sealed record ProviderAttempt(
    int Number,
    string Status,
    int? HttpStatus,
    string RedactedUrl,
    DateTimeOffset StartedAtUtc,
    double ElapsedMs,
    string RequestTrackingId,
    string? ResponseTrackingId,
    long ResponseBytes,
    string? ErrorDetail,
    double? RetryAfterSeconds = null);

/// <summary>
/// What a provider answered for one point: the final status (<see cref="ProviderStatus"/>), the parsed piece (only
/// when the status is ok), every request sent (<see cref="Attempts"/>, empty when none was — e.g. not configured),
/// and the final attempt's body (key redacted) for the raw-response archive.
/// </summary>
public sealed record ProviderAnswer(
    string Provider,
    string Status,
    FlowPiece? Piece,
    IReadOnlyList<ProviderAttempt> Attempts,
    byte[]? Body,
    DateTimeOffset FetchedAtUtc,
    DateTimeOffset? ResponseDateUtc,
    string? Detail)
{
    public ProviderAttempt? FinalAttempt => Attempts.Count > 0 ? Attempts[^1] : null;

    /// <summary>The provider's tracking id for the final attempt (ours if it did not echo one).</summary>
    public string? TrackingId => FinalAttempt?.ResponseTrackingId ?? FinalAttempt?.RequestTrackingId;

    /// <summary>Requests actually sent (each one charged by the provider and to be recorded in the ledger).</summary>
    public int RequestsSent => Attempts.Count;

    public double? RetryAfterSeconds => FinalAttempt?.RetryAfterSeconds;
}
