using Ayalon.Core.Corridor;

namespace Ayalon.Core.Traffic;

/// <summary>
/// Asked by a provider before it sends a second attempt (a retry after a timeout, 5xx or network error). Return
/// true only if one more request was reserved in the quota ledger: every request the provider sends is charged.
/// </summary>
public delegate Task<bool> ReserveExtraAttempt(ProviderAttempt failedAttempt, CancellationToken cancellationToken);

/// <summary>
/// A traffic data source the collection cycle asks for the sections it still lacks. The provider plans its own
/// requests (TomTom: one per uncovered section midpoint; HERE: one bounding box over them all) and reserves each
/// one — retries included — through the <see cref="FetchRequest.Budget"/> before sending it. Adding a provider is
/// one more implementation registered in DI and named in <c>Traffic__Providers</c>; the cycle does not change.
/// </summary>
public interface ITrafficProvider
{
    /// <summary>Stable lower-case name: the quota ledger partition, the provenance label, the name in <c>Traffic__Providers</c>.</summary>
    string Name { get; }

    /// <summary>False when it is already known, without a network call, that no request can be made (no credentials).</summary>
    bool IsConfigured { get; }

    /// <summary>
    /// Asks for the flow over <see cref="FetchRequest.Sections"/>. Caller cancellation throws; every other failure is
    /// an answer with its status. Never sends a request the budget did not grant.
    /// </summary>
    Task<ProviderFetch> FetchAsync(FetchRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// The quota ledger as one provider sees it during one cycle: each call reserves exactly one request in the
/// provider's own ledger row (its own limit, period and pace) before the request is sent.
/// </summary>
public interface IRequestBudget
{
    Task<BudgetDecision> TryReserveAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A reservation's answer; when refused, <see cref="DenialStatus"/> is a <see cref="ProviderStatus"/> (quota_exhausted,
/// quota_pacing). <see cref="ReservedAtUtc"/> is the instant the ledger charged it to (it names the period).
/// </summary>
public sealed record BudgetDecision(bool Granted, string? DenialStatus, DateTimeOffset? ReservedAtUtc = null, string? Detail = null)
{
    public static BudgetDecision Grant(DateTimeOffset reservedAtUtc) => new(true, null, reservedAtUtc);
}

/// <summary>
/// What the cycle hands a provider: the sections still unmeasured in this cycle, the corridor they belong to, the
/// budget, and <see cref="CoveredSectionIds"/>, which tells which sections a set of pieces already covers (so a
/// per-point provider can skip the sections an earlier answer of its own covered).
/// </summary>
public sealed record FetchRequest(
    CorridorDefinition Corridor,
    IReadOnlyList<CorridorSection> Sections,
    IRequestBudget Budget,
    Func<IReadOnlyList<FlowPiece>, IReadOnlySet<string>> CoveredSectionIds);

/// <summary>
/// One HTTP exchange with a provider (or the failure to have one). Nothing here holds a credential or exception
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
/// What a provider answered for one planned request: the final status (<see cref="ProviderStatus"/>), the parsed
/// pieces (only when ok), every request sent for it (<see cref="Attempts"/>, empty when none was — e.g. not
/// configured), and the final attempt's body (credentials redacted) for the raw-response archive.
/// <see cref="Target"/> names what the request was for: a section id (TomTom's midpoint probe) or a bbox.
/// <see cref="DroppedLowConfidence"/> counts pieces the provider's parser already refused for confidence.
/// </summary>
public sealed record ProviderAnswer(
    string Provider,
    string Status,
    IReadOnlyList<FlowPiece> Pieces,
    IReadOnlyList<ProviderAttempt> Attempts,
    byte[]? Body,
    DateTimeOffset FetchedAtUtc,
    DateTimeOffset? ResponseDateUtc,
    string? Detail,
    string Target = "",
    int DroppedLowConfidence = 0)
{
    public ProviderAttempt? FinalAttempt => Attempts.Count > 0 ? Attempts[^1] : null;

    /// <summary>The provider's tracking id for the final attempt (ours if it did not echo one).</summary>
    public string? TrackingId => FinalAttempt?.ResponseTrackingId ?? FinalAttempt?.RequestTrackingId;

    /// <summary>Requests actually sent (each one charged by the provider and to be recorded in the ledger).</summary>
    public int RequestsSent => Attempts.Count;

    public double? RetryAfterSeconds => FinalAttempt?.RetryAfterSeconds;
}

/// <summary>
/// Everything one provider answered in one cycle, in request order, and its overall status: the status that made
/// it stop asking, else the last failure, else ok.
/// </summary>
public sealed record ProviderFetch(string Provider, string Status, IReadOnlyList<ProviderAnswer> Answers, string? Detail = null)
{
    public IReadOnlyList<FlowPiece> Pieces => Answers.Where(a => a.Status == ProviderStatus.Ok).SelectMany(a => a.Pieces).ToList();

    public int RequestsSent => Answers.Sum(a => a.RequestsSent);

    public static ProviderFetch Nothing(string provider, string status, string? detail = null) => new(provider, status, [], detail);
}
