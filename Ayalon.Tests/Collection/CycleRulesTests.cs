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
    private static readonly ImpactSettings Impact = new(Options.Create(new ImpactOptions()), Corridor);
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
    [Fact]
    public async Task Each_section_is_stamped_with_the_fetch_time_of_the_answer_that_measured_it_not_the_first_answer()
    {
        var tomtom = Measuring("tomtom", perSection: true);
        var first = new DateTimeOffset(2026, 11, 29, 7, 0, 1, TimeSpan.Zero);
        tomtom.AnsweredAt = n => first.AddSeconds(20 * (n - 1)); // every answer 20 s slower than the one before

        var (turns, _) = await FetchAsync(tomtom);
        var writes = Compute(turns);

        var answers = Assert.Single(turns).Fetch.Answers;
        Assert.Equal(6, answers.Count);
        foreach (var o in writes.Observations)
        {
            var answer = Assert.Single(answers, a => a.Target == o.SectionId);
            Assert.Equal(answer.FetchedAtUtc, o.ObservedAtUtc);
        }
        Assert.Equal(first.AddSeconds(100), writes.Observations.Max(o => o.ObservedAtUtc));
        Assert.Equal(6, writes.Observations.Select(o => o.ObservedAtUtc).Distinct().Count());
    }

    [Fact]
    public async Task An_observation_not_newer_than_the_latest_state_is_not_stored_nor_rolled_up()
    {
        var slowAt = new DateTimeOffset(2026, 11, 29, 7, 0, 1, TimeSpan.Zero);
        var (turns, _) = await FetchAsync(WithTime(Measuring("here"), slowAt));
        var (newerTurns, _) = await FetchAsync(WithTime(Measuring("here", speedKmh: 50), slowAt.AddSeconds(6)));
        var latest = new LatestState(Compute(newerTurns).Observations.ToDictionary(o => o.SectionId), null, null);

        var overtaken = Compute(turns, latest);

        Assert.Empty(overtaken.Observations);
        Assert.Empty(overtaken.Contributions);
        Assert.Equal(6, overtaken.Record.SupersededObservations);
    }

    private static FakeTrafficProvider WithTime(FakeTrafficProvider p, DateTimeOffset at)
    {
        p.Now = at;
        return p;
    }

    [Fact]
    public async Task Contributions_name_the_hold_they_come_from()
    {
        var here = Measuring("here");
        here.Now = new DateTimeOffset(2026, 11, 29, 7, 5, 0, TimeSpan.Zero);
        var previousAt = new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero);
        var (before, _) = await FetchAsync(WithTime(Measuring("here", speedKmh: 50), previousAt));
        var latest = new LatestState(Compute(before).Observations.ToDictionary(o => o.SectionId), null, null);

        var (turns, _) = await FetchAsync(here);
        var writes = Compute(turns, latest);

        Assert.Equal(6, writes.Contributions.Count);
        Assert.All(writes.Contributions, c => Assert.Equal((previousAt, here.Now), (c.HeldFromUtc!.Value, c.HeldUntilUtc)));
    }

    [Fact]
    public async Task A_provider_in_backoff_is_not_asked_says_so_and_its_sections_go_to_the_next_provider()
    {
        var here = Measuring("here");
        var tomtom = Measuring("tomtom", perSection: true);
        var budgets = new Dictionary<string, CountingBudget> { ["here"] = new(), ["tomtom"] = new() };

        var turns = await new CycleFetcher(Corridor, Impact, Clock).FetchAsync([here, tomtom], n => budgets[n],
            n => n == "here" ? "provider_backoff: 1 failed cycles in a row" : null, CancellationToken.None);
        var writes = Compute(turns);

        Assert.Empty(here.Requests);
        Assert.Equal(0, budgets["here"].Granted);
        Assert.Equal(
            new[] { ("here", ProviderStatus.ProviderBackoff, 0), ("tomtom", ProviderStatus.Ok, 6) },
            writes.Record.Providers!.Select(p => (p.Provider, p.Status, p.RequestsUsed)));
        Assert.Equal("provider_backoff: 1 failed cycles in a row", writes.Record.Providers![0].Detail);
        Assert.Equal(CycleStatus.Ok, writes.Record.Status);
    }

    [Fact]
    public async Task A_cycle_whose_only_provider_backs_off_is_a_skip_with_its_reason()
    {
        var here = Measuring("here");

        var turns = await new CycleFetcher(Corridor, Impact, Clock).FetchAsync([here], _ => new CountingBudget(),
            _ => "provider_backoff: 2 failed cycles in a row", CancellationToken.None);
        var writes = Compute(turns);

        Assert.Equal(CycleStatus.Skipped, writes.Record.Status);
        Assert.Equal(ProviderStatus.ProviderBackoff, writes.Record.ProviderStatus);
        Assert.StartsWith("provider_backoff: here provider_backoff: 2 failed", writes.Record.Message);
        Assert.Equal(0, writes.Record.RequestsUsed);
    }

    [Theory]
    [InlineData(ProviderStatus.HttpError)]
    [InlineData(ProviderStatus.NetworkError)]
    public async Task After_a_5xx_or_network_failure_a_per_section_provider_stops_asking_in_this_cycle(string status)
    {
        var tomtom = Measuring("tomtom", perSection: true);
        tomtom.Status = status;

        var (turns, budgets) = await FetchAsync(tomtom);

        Assert.Equal(1, tomtom.RequestsSent);
        Assert.Equal(1, budgets["tomtom"].Granted);
        Assert.True(ProviderBackoff.IsOutage(Assert.Single(turns).Fetch));
    }

    [Fact]
    public async Task A_ledger_refused_for_contention_is_not_reported_as_an_exhausted_quota()
    {
        var tomtom = Measuring("tomtom", perSection: true);
        var budget = new CountingBudget(limit: 0, denial: ProviderStatus.LedgerContention);

        var turns = await new CycleFetcher(Corridor, Impact, Clock).FetchAsync([tomtom], _ => budget, CancellationToken.None);
        var writes = Compute(turns);

        Assert.Equal(0, tomtom.RequestsSent);
        Assert.Equal(ProviderStatus.LedgerContention, writes.Record.ProviderStatus);
        Assert.Equal(CycleStatus.Failed, writes.Record.Status);
        Assert.NotEqual(Ayalon.Core.ReadModels.ProviderMessages.For(ProviderStatus.QuotaExhausted), Ayalon.Core.ReadModels.ProviderMessages.For(ProviderStatus.LedgerContention));
    }
}

/// <summary>The outage backoff's arithmetic: 1, 2, 4… skipped cycles after consecutive failures, capped in time, reset by an answer.</summary>
[Trait("Category", "Unit")]
public sealed class ProviderBackoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 7, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(30);

    [Fact]
    public void Consecutive_failures_double_the_skips_and_an_answer_resets_them()
    {
        var s = ProviderBackoffState.None;
        var skips = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            s = s.AfterAsked(outage: true, T0);
            skips.Add(s.SkipsLeft);
        }

        Assert.Equal([1, 2, 4, 8, 16], skips);
        Assert.Equal(ProviderBackoffState.None, s.AfterAsked(outage: false, T0));
    }

    [Theory]
    [InlineData(120, 120)]
    [InlineData(7200, 1800)] // a provider asking for two hours is asked again after the cap
    public void A_429s_Retry_After_is_honoured_across_cycles_up_to_the_cap(double retryAfterSeconds, double honouredSeconds)
    {
        var attempt = new ProviderAttempt(1, ProviderStatus.RateLimited, 429, "https://provider/flow", T0, 5, "r", null, 0, "http_429", retryAfterSeconds);
        var fetch = new ProviderFetch("here", ProviderStatus.RateLimited,
            [new ProviderAnswer("here", ProviderStatus.RateLimited, [], [attempt], null, T0, null, "http_429")]);

        var state = ProviderBackoff.Next(new Dictionary<string, ProviderBackoffState>(), [fetch], T0, Cap)["here"];

        Assert.Equal(0, state.ConsecutiveFailures); // a 429 is an answer, not an outage
        Assert.True(state.ShouldSkip(T0.AddSeconds(honouredSeconds - 1), Cap));
        Assert.False(state.ShouldSkip(T0.AddSeconds(honouredSeconds), Cap));
    }

    [Fact]
    public void A_provider_is_never_left_unasked_longer_than_the_cap_after_its_last_failure()
    {
        var s = new ProviderBackoffState(6, 32, T0);

        Assert.True(s.ShouldSkip(T0.AddMinutes(29), Cap));
        Assert.False(s.ShouldSkip(T0.AddMinutes(30), Cap));
        Assert.False(s.ShouldSkip(T0.AddMinutes(1), TimeSpan.Zero)); // 0 turns the backoff off
        Assert.False(ProviderBackoffState.None.ShouldSkip(T0, Cap));
        Assert.Equal(31, s.AfterSkip().SkipsLeft);
    }
}
