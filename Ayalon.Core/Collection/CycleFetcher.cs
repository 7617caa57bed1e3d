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
}

/// <summary>
/// The fetch step of a cycle: asks the configured providers in order for the sections still unmeasured, each under
/// its own budget, and stops failing over after a quota or rate limit. No storage here: budgets are handed in, so
/// the rules are testable with a fake provider and an in-memory budget.
/// </summary>
public sealed class CycleFetcher(CorridorDefinition corridor, ImpactSettings impact, TimeProvider time)
{
    public async Task<IReadOnlyList<ProviderTurn>> FetchAsync(
        IReadOnlyList<ITrafficProvider> providers, Func<string, IRequestBudget> budgetFor, CancellationToken cancellationToken)
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

    private ProviderTurn Turn(ProviderFetch fetch, IReadOnlyList<DateTimeOffset> reserved)
    {
        // A provider's observation time is when its first usable answer arrived; without one, the time of asking.
        var at = fetch.Answers.FirstOrDefault(a => a.Status == ProviderStatus.Ok)?.FetchedAtUtc ?? time.GetUtcNow();
        return new ProviderTurn(fetch, reserved, impact.Calculator.ComputeCycle(corridor, impact.Matcher.Match(fetch.Pieces), at));
    }

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
