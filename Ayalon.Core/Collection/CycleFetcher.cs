using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Traffic;

namespace Ayalon.Core.Collection;

/// <summary>
/// One provider's part of a cycle: what it answered, when each of its requests was reserved (in the order sent),
/// and its pieces computed on their own (never blended with another provider's).
/// </summary>
public sealed record ProviderTurn(ProviderFetch Fetch, IReadOnlyList<DateTimeOffset> ReservedAtUtc, CycleImpact Impact)
{
    public string Provider => Fetch.Provider;

    /// <summary>Sections this provider measured (ok) or found closed.</summary>
    public IEnumerable<string> Measured =>
        Impact.Sections.Where(s => s.State is ObservationState.Ok or ObservationState.Closed).Select(s => s.SectionId);

    /// <summary>
    /// A provider's turn computed from its answers. Each section's observation time is the fetch time of the
    /// answers whose pieces measured it (the latest of them when several did; a piece returned by several answers
    /// counts from the first): a slow second answer is never stamped with the first answer's time. Sections without
    /// a piece take <paramref name="askedAtUtc"/>. An ok fetch whose every piece fell below the confidence floor
    /// becomes <c>low_confidence</c>: the provider answered, but with no real-time data.
    /// </summary>
    public static ProviderTurn Compute(CorridorDefinition corridor, ImpactSettings impact, ProviderFetch fetch,
        IReadOnlyList<DateTimeOffset> reservedAtUtc, DateTimeOffset askedAtUtc)
    {
        var match = impact.Matcher.Match(fetch.Pieces);
        var computed = impact.Calculator.ComputeCycle(corridor, match, askedAtUtc);
        var fetchedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var answer in fetch.Answers.Where(a => a.Status == ProviderStatus.Ok))
        {
            foreach (var piece in answer.Pieces)
            {
                if (!fetchedAt.TryGetValue(piece.PieceId, out var at) || answer.FetchedAtUtc < at) fetchedAt[piece.PieceId] = answer.FetchedAtUtc;
            }
        }
        if (fetchedAt.Count > 0)
        {
            var sections = computed.Sections.Select(s =>
            {
                var times = s.SourcePieceIds.Where(fetchedAt.ContainsKey).Select(p => fetchedAt[p]).ToList();
                return times.Count > 0 ? s with { ObservedAtUtc = times.Max().ToUniversalTime() } : s;
            }).ToList();
            // Combine over one result re-derives the directions (and the cycle's time) from the re-stamped sections.
            computed = impact.Calculator.Combine(corridor, [computed with { Sections = sections }]).Impact;
        }

        var dropped = match.DroppedLowConfidence + fetch.Answers.Sum(a => a.DroppedLowConfidence);
        if (fetch.Status == ProviderStatus.Ok && dropped > 0 && match.Pieces.All(p => p.Status == PieceMatchStatus.LowConfidence))
        {
            fetch = fetch with
            {
                Status = ProviderStatus.LowConfidence,
                Detail = FormattableString.Invariant($"{dropped} pieces below the confidence floor {impact.Constants.ConfidenceFloor}, none usable"),
            };
        }
        return new ProviderTurn(fetch, reservedAtUtc, computed);
    }
}

/// <summary>
/// The fetch step of a cycle: asks the configured providers in order for the sections still unmeasured, each under
/// its own budget, and stops failing over after a quota or rate limit. A provider in outage backoff is not asked
/// (its turn says <c>provider_backoff</c>) and its sections go to the next one. No storage here: budgets and backoff
/// states are handed in, so the rules are testable with a fake provider and an in-memory budget.
/// </summary>
public sealed class CycleFetcher(CorridorDefinition corridor, ImpactSettings impact, TimeProvider time)
{
    public Task<IReadOnlyList<ProviderTurn>> FetchAsync(
        IReadOnlyList<ITrafficProvider> providers, Func<string, IRequestBudget> budgetFor, CancellationToken cancellationToken) =>
        FetchAsync(providers, budgetFor, _ => null, cancellationToken);

    /// <param name="backoffDetail">For a provider to leave unasked in this cycle, why (else null).</param>
    public async Task<IReadOnlyList<ProviderTurn>> FetchAsync(
        IReadOnlyList<ITrafficProvider> providers, Func<string, IRequestBudget> budgetFor, Func<string, string?> backoffDetail,
        CancellationToken cancellationToken)
    {
        var turns = new List<ProviderTurn>();
        var configured = providers.Where(p => p.IsConfigured).ToList();
        if (configured.Count == 0)
        {
            // Nobody can be asked: say so for each provider named, with no request and nothing reserved.
            foreach (var p in providers) turns.Add(Turn(ProviderFetch.Nothing(p.Name, ProviderStatus.NotConfigured), []));
            return turns;
        }

        var measured = new HashSet<string>(StringComparer.Ordinal);
        foreach (var provider in configured)
        {
            var pending = corridor.Sections.Where(s => !measured.Contains(s.Id)).ToList();
            if (pending.Count == 0) break;
            if (backoffDetail(provider.Name) is { } why)
            {
                turns.Add(Turn(ProviderFetch.Nothing(provider.Name, ProviderStatus.ProviderBackoff, why), []));
                continue;
            }
            var budget = new RecordingBudget(budgetFor(provider.Name), time);
            var fetch = await provider.FetchAsync(new FetchRequest(corridor, pending, budget, CoveredSectionIds), cancellationToken).ConfigureAwait(false);
            var turn = Turn(fetch, budget.ReservedAtUtc);
            turns.Add(turn);
            measured.UnionWith(turn.Measured);
            if (!ProviderStatus.AllowsFailover(fetch.Status)) break;
        }
        return turns;
    }

    /// <summary>
    /// A provider's turn from answers already received, computed exactly as a live fetch computes it: the audit
    /// recomputes archived cycles through this, so a change to the live rule changes the audit with it.
    /// </summary>
    public ProviderTurn TurnFrom(ProviderFetch fetch) => Turn(fetch, []);

    private ProviderTurn Turn(ProviderFetch fetch, IReadOnlyList<DateTimeOffset> reserved) =>
        ProviderTurn.Compute(corridor, impact, fetch, reserved, time.GetUtcNow());

    /// <summary>Sections the given pieces already cover at the methodology's coverage threshold.</summary>
    private IReadOnlySet<string> CoveredSectionIds(IReadOnlyList<FlowPiece> pieces) =>
        impact.Matcher.Match(pieces).Sections.Where(s => s.Coverage >= impact.Constants.CoverageThreshold)
            .Select(s => s.SectionId).ToHashSet(StringComparer.Ordinal);

    /// <summary>Remembers when each granted reservation was made, so outcomes are charged to the period they were reserved in.</summary>
    private sealed class RecordingBudget(IRequestBudget inner, TimeProvider time) : IRequestBudget
    {
        private readonly List<DateTimeOffset> _reserved = [];

        public IReadOnlyList<DateTimeOffset> ReservedAtUtc => _reserved;

        public async Task<BudgetDecision> TryReserveAsync(CancellationToken cancellationToken)
        {
            var decision = await inner.TryReserveAsync(cancellationToken).ConfigureAwait(false);
            if (decision.Granted) _reserved.Add(decision.ReservedAtUtc ?? time.GetUtcNow());
            return decision;
        }
    }
}
