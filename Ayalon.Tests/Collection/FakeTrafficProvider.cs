using Ayalon.Core.Corridor;
using Ayalon.Core.Traffic;
using Ayalon.Tests.Physics;

namespace Ayalon.Tests.Collection;

/// <summary>
/// A scripted provider for the cycle's rules (no HTTP, no storage). Bbox style (like HERE): one request for all
/// sections asked. Per-section style (like TomTom): one request per pending section, skipping sections its own
/// earlier pieces cover, stopping on a status that ends its turn. Every request is reserved through the budget first.
/// </summary>
internal sealed class FakeTrafficProvider(string name, bool perSection = false) : ITrafficProvider
{
    public string Name { get; } = name;

    public bool IsConfigured { get; set; } = true;

    /// <summary>What every request answers.</summary>
    public string Status { get; set; } = ProviderStatus.Ok;

    /// <summary>Sections an ok answer carries a piece for, and the speeds it reports.</summary>
    public Dictionary<string, (double SpeedKmh, double FreeFlowKmh)> Traffic { get; } = new(StringComparer.Ordinal);

    /// <summary>An answer carries pieces for every section of the asked section's direction (TomTom's 9 km segments do).</summary>
    public bool WholeDirectionPieces { get; set; }

    public List<FetchRequest> Requests { get; } = [];

    public int RequestsSent { get; private set; }

    public DateTimeOffset Now { get; set; } = new(2026, 11, 29, 7, 0, 0, TimeSpan.Zero);

    /// <summary>When the n-th request (1-based) was answered; <see cref="Now"/> for all when null.</summary>
    public Func<int, DateTimeOffset>? AnsweredAt { get; set; }

    public async Task<ProviderFetch> FetchAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        var answers = new List<ProviderAnswer>();
        var targets = perSection ? request.Sections.Select(s => new[] { s }).ToList() : [request.Sections.ToArray()];
        var pieces = new List<FlowPiece>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            if (target.All(s => covered.Contains(s.Id))) continue;
            var decision = await request.Budget.TryReserveAsync(cancellationToken);
            if (!decision.Granted) return new ProviderFetch(Name, decision.DenialStatus!, answers, decision.Detail);
            RequestsSent++;
            var answerPieces = Status == ProviderStatus.Ok ? PiecesFor(target) : [];
            var attempt = new ProviderAttempt(1, Status, Status == ProviderStatus.Ok ? 200 : 500, "http://fake/" + Name, Now, 5,
                Guid.NewGuid().ToString(), "t-" + Name + "-" + RequestsSent, 10, null);
            answers.Add(new ProviderAnswer(Name, Status, answerPieces, [attempt], [1, 2, 3], AnsweredAt?.Invoke(RequestsSent) ?? Now, null, null,
                string.Join(',', target.Select(s => s.Id))));
            if (Status != ProviderStatus.Ok)
            {
                if (ProviderStatus.EndsProviderTurn(answers[^1]) || !perSection) break;
                continue;
            }
            pieces.AddRange(answerPieces);
            covered.UnionWith(request.CoveredSectionIds(pieces));
        }
        var failed = answers.LastOrDefault(a => a.Status != ProviderStatus.Ok);
        return new ProviderFetch(Name, failed?.Status ?? ProviderStatus.Ok, answers);
    }

    private List<FlowPiece> PiecesFor(IEnumerable<CorridorSection> target)
    {
        var ids = target.Select(s => s.Id).ToList();
        if (WholeDirectionPieces)
        {
            ids = PhysicsTestData.Corridor.Sections
                .Where(s => ids.Any(id => PhysicsTestData.Corridor.Find(id)!.Direction == s.Direction)).Select(s => s.Id).ToList();
        }
        return ids.Where(Traffic.ContainsKey)
            .Select(id => PhysicsTestData.AlongSection(id, Traffic[id].SpeedKmh, Traffic[id].FreeFlowKmh) with { Provider = Name })
            .ToList();
    }
}

/// <summary>An in-memory request budget: grants up to <paramref name="limit"/> reservations, then refuses with <paramref name="denial"/>.</summary>
internal sealed class CountingBudget(int limit = int.MaxValue, string denial = ProviderStatus.QuotaExhausted) : IRequestBudget
{
    public int Granted { get; private set; }

    public int Refused { get; private set; }

    public Task<BudgetDecision> TryReserveAsync(CancellationToken cancellationToken)
    {
        if (Granted >= limit)
        {
            Refused++;
            return Task.FromResult(new BudgetDecision(false, denial, null, $"{denial}: {Granted}/{limit}"));
        }
        Granted++;
        return Task.FromResult(BudgetDecision.Grant(new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero)));
    }
}
