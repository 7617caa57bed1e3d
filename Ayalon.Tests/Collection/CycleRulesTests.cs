using Ayalon.Core.Collection;
using Ayalon.Core.Corridor;
using Ayalon.Core.Impact;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.Tests.Physics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Collection;

/// <summary>
/// The cycle's fetch and compute steps with scripted providers and in-memory budgets: provider order, failover,
/// budgets, pacing and per-section provenance, without Azurite or Kestrel.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CycleRulesTests
{
    private static readonly CorridorDefinition Corridor = PhysicsTestData.Corridor;
    private static readonly ImpactSettings Impact = new(Options.Create(new ImpactOptions()), Corridor, Options.Create(new TomTomOptions()));
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 29, 7, 0, 5, TimeSpan.Zero));
    private static readonly LatestState Empty = new(new Dictionary<string, StoredObservation>(), null, null);
    private static readonly CycleStart Start = new("c1", "test", new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero));

    private static FakeTrafficProvider Measuring(string name, bool perSection = false, double speedKmh = 60, double freeFlowKmh = 90,
        IEnumerable<string>? sections = null)
    {
        var p = new FakeTrafficProvider(name, perSection);
        foreach (var id in sections ?? Corridor.Sections.Select(s => s.Id)) p.Traffic[id] = (speedKmh, freeFlowKmh);
        return p;
    }

    private static async Task<(IReadOnlyList<ProviderTurn> Turns, Dictionary<string, CountingBudget> Budgets)> FetchAsync(params ITrafficProvider[] providers)
    {
        var budgets = providers.ToDictionary(p => p.Name, _ => new CountingBudget());
        var turns = await new CycleFetcher(Corridor, Impact, Clock).FetchAsync(providers, n => budgets[n], CancellationToken.None);
        return (turns, budgets);
    }

    private static CycleWrites Compute(IReadOnlyList<ProviderTurn> turns, LatestState? previous = null) =>
        new CycleComputer(Corridor, Impact).Compute(Start, turns, previous ?? Empty, Clock.GetUtcNow());

    [Fact]
    public async Task First_provider_that_measures_everything_is_the_only_one_asked()
    {
        var here = Measuring("here");
        var tomtom = Measuring("tomtom", perSection: true);

        var (turns, _) = await FetchAsync(here, tomtom);
        var writes = Compute(turns);

        Assert.Single(turns);
        Assert.Empty(tomtom.Requests);
        Assert.Equal(1, here.RequestsSent);
        Assert.Equal(CycleStatus.Ok, writes.Record.Status);
        Assert.Equal("here", writes.Record.Provider);
        Assert.All(writes.Observations, o => Assert.Equal("here", o.Provider));
        Assert.Equal(6, writes.Observations.Count);
    }

    [Theory]
    [InlineData(ProviderStatus.NoCoverage)]
    [InlineData(ProviderStatus.HttpError)]
    [InlineData(ProviderStatus.NetworkError)]
    [InlineData(ProviderStatus.ParseError)]
    [InlineData(ProviderStatus.AuthError)]
    public async Task Sections_a_failing_provider_left_go_to_the_next_one_in_the_same_cycle(string status)
    {
        var here = Measuring("here");
        here.Status = status;
        var tomtom = Measuring("tomtom", perSection: true);

        var (turns, budgets) = await FetchAsync(here, tomtom);
        var writes = Compute(turns);

        Assert.Equal(["here", "tomtom"], turns.Select(t => t.Provider));
        Assert.Equal(6, Assert.Single(tomtom.Requests).Sections.Count);
        Assert.Equal(1, budgets["here"].Granted);
        Assert.Equal(6, budgets["tomtom"].Granted); // each tomtom request under tomtom's own budget
        Assert.Equal(CycleStatus.Ok, writes.Record.Status);
        Assert.Equal("tomtom", writes.Record.Provider);
        Assert.Equal(ProviderStatus.Ok, writes.Record.ProviderStatus);
        Assert.Equal(
            new[] { ("here", status, 1), ("tomtom", ProviderStatus.Ok, 6) },
            writes.Record.Providers!.Select(p => (p.Provider, p.Status, p.RequestsUsed)));
        Assert.Equal(7, writes.Record.RequestsUsed);
        Assert.All(writes.Record.Attempts, a => Assert.NotNull(a.Provider));
    }

    [Theory]
    [InlineData(ProviderStatus.RateLimited)]
    [InlineData(ProviderStatus.QuotaExhausted)]
    [InlineData(ProviderStatus.QuotaPacing)]
    public async Task No_failover_after_a_quota_or_rate_limit(string status)
    {
        var here = Measuring("here");
        here.Status = status;
        var tomtom = Measuring("tomtom", perSection: true);

        var (turns, _) = await FetchAsync(here, tomtom);

        Assert.Single(turns);
        Assert.Empty(tomtom.Requests);
    }

    [Fact]
    public async Task Only_the_sections_still_unmeasured_are_asked_of_the_next_provider()
    {
        var northbound = Corridor.Sections.Where(s => s.Direction == "northbound").Select(s => s.Id).ToList();
        var here = Measuring("here", sections: northbound);
        var tomtom = Measuring("tomtom", perSection: true);

        var (turns, _) = await FetchAsync(here, tomtom);
        var writes = Compute(turns);

        var asked = Assert.Single(tomtom.Requests).Sections.Select(s => s.Id).ToList();
        Assert.Equal(Corridor.Sections.Where(s => s.Direction == "southbound").Select(s => s.Id), asked);
        Assert.All(writes.Observations, o => Assert.Equal(northbound.Contains(o.SectionId) ? "here" : "tomtom", o.Provider));
        Assert.Equal(CycleStatus.Ok, writes.Record.Status);
    }

    [Fact]
    public async Task Values_are_never_blended_across_providers()
    {
        var first = Corridor.Sections[1].Id;
        var here = Measuring("here", speedKmh: 45, sections: [first]);
        var tomtom = Measuring("tomtom", perSection: true, speedKmh: 90, freeFlowKmh: 90, sections: Corridor.Sections.Select(s => s.Id));
        tomtom.WholeDirectionPieces = true; // its answers cover the section HERE already measured, too

        var (turns, _) = await FetchAsync(here, tomtom);
        var writes = Compute(turns);

        var mine = writes.Observations.Single(o => o.SectionId == first);
        Assert.Equal("here", mine.Provider);
        Assert.True(mine.DelaySeconds > 0); // HERE's 45 km/h, not TomTom's free flow
        Assert.DoesNotContain(Assert.Single(tomtom.Requests).Sections, s => s.Id == first);
    }

    [Fact]
    public async Task A_per_section_provider_skips_sections_its_own_answers_already_cover()
    {
        var tomtom = Measuring("tomtom", perSection: true);
        tomtom.WholeDirectionPieces = true;

        var (turns, budgets) = await FetchAsync(tomtom);

        Assert.Equal(2, tomtom.RequestsSent); // one per direction, not one per section
        Assert.Equal(2, budgets["tomtom"].Granted);
        Assert.Equal(CycleStatus.Ok, Compute(turns).Record.Status);
    }

    [Fact]
    public async Task Providers_without_credentials_take_no_part()
    {
        var here = Measuring("here");
        here.IsConfigured = false;
        var tomtom = Measuring("tomtom", perSection: true);

        var (turns, _) = await FetchAsync(here, tomtom);

        Assert.Equal(["tomtom"], turns.Select(t => t.Provider));
        Assert.Empty(here.Requests);
    }

    [Fact]
    public async Task With_no_provider_configured_the_cycle_fails_as_not_configured_and_sends_nothing()
    {
        var here = Measuring("here");
        var tomtom = Measuring("tomtom", perSection: true);
        here.IsConfigured = tomtom.IsConfigured = false;

        var (turns, budgets) = await FetchAsync(here, tomtom);
        var writes = Compute(turns);

        Assert.Equal(CycleStatus.Failed, writes.Record.Status);
        Assert.Equal(ProviderStatus.NotConfigured, writes.Record.ProviderStatus);
        Assert.Equal(0, writes.Record.RequestsUsed);
        Assert.All(budgets.Values, b => Assert.Equal(0, b.Granted + b.Refused));
    }

    [Fact]
    public async Task A_budget_that_refuses_means_no_request_is_sent()
    {
        var here = Measuring("here");
        var budget = new CountingBudget(limit: 0);

        var turns = await new CycleFetcher(Corridor, Impact, Clock).FetchAsync([here], _ => budget, CancellationToken.None);
        var writes = Compute(turns);

        Assert.Equal(0, here.RequestsSent);
        Assert.Equal(1, budget.Refused);
        Assert.Equal(ProviderStatus.QuotaExhausted, writes.Record.ProviderStatus);
        Assert.Equal(CycleStatus.Failed, writes.Record.Status);
        Assert.Empty(writes.Observations);
    }

    [Fact]
    public async Task A_paced_cycle_is_a_skip_with_its_reason_not_a_failure()
    {
        var here = Measuring("here");
        var budget = new CountingBudget(limit: 0, denial: ProviderStatus.QuotaPacing);

        var turns = await new CycleFetcher(Corridor, Impact, Clock).FetchAsync([here], _ => budget, CancellationToken.None);
        var writes = Compute(turns);

        Assert.Equal(CycleStatus.Skipped, writes.Record.Status);
        Assert.StartsWith(ProviderStatus.QuotaPacing, writes.Record.Message);
        Assert.Equal(0, writes.Record.RequestsUsed);
    }

    [Fact]
    public async Task The_same_provider_data_again_is_stored_once()
    {
        var here = Measuring("here");
        var (turns, _) = await FetchAsync(here);
        var first = Compute(turns);
        var previous = new LatestState(first.Observations.ToDictionary(o => o.SectionId), first.Record, first.Record);

        var again = Compute(turns, previous);

        Assert.Empty(again.Observations);
        Assert.Equal(6, again.Record.DuplicateObservations);
        Assert.Empty(again.Contributions);
    }

    [Fact]
    public async Task Raw_bodies_of_every_provider_are_kept_with_their_provider()
    {
        var here = Measuring("here");
        here.Status = ProviderStatus.NoCoverage;
        var tomtom = Measuring("tomtom", perSection: true);
        tomtom.WholeDirectionPieces = true;

        var (turns, _) = await FetchAsync(here, tomtom);
        var writes = Compute(turns);

        Assert.Equal(["here", "tomtom", "tomtom"], writes.RawResponses.Select(r => r.Provider));
        Assert.All(writes.RawResponses, r => Assert.Equal("c1", r.CycleId));
    }
}
