using Ayalon.Tests.Infrastructure;
using Ayalon.Core.Corridor;
using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.Tests.Quota;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Traffic;

[Trait("Category", "Integration")]
public sealed class TomTomRetryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly GeoPoint Point = new(32.078, 34.796);

    private static Scripted First(string kind) => kind switch
    {
        "500" => new Scripted(500, "{}"),
        "503" => new Scripted(503),
        "596" => new Scripted(596, "{}"),
        "timeout" => new Scripted(200, FakeTomTom.OkBody, DelaySeconds: 4),
        "400_no_coverage" => new Scripted(400, FakeTomTom.NoCoverageBody),
        "400_other" => new Scripted(400, "{\"error\":\"bad\"}"),
        "401" => new Scripted(401, "{}"),
        "403" => new Scripted(403, FakeTomTom.ForbiddenBody),
        "429" => new Scripted(429, "{}", Headers: new Dictionary<string, string> { ["Retry-After"] = "30" }),
        "200_malformed" => new Scripted(200, "{oops"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [InlineData("500")]
    [InlineData("503")]
    [InlineData("596")]
    [InlineData("timeout")]
    public async Task A_timeout_or_5xx_is_retried_once_when_the_extra_request_is_reserved(string first)
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(First(first), new Scripted(200, FakeTomTom.OkBody));
        // The client's 1 s timeout runs on a fake clock, moved past it once the fake holds the first request.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = TomTomHarness.Create(fake.BaseUrl, time: clock);
        var gate = new RetryGate(grant: true);

        var pending = harness.Provider.GetFlowAsync(Point, gate.Reserve, default);
        if (first == "timeout")
        {
            await fake.RequestsArrivedAsync(1);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        var answer = await pending;

        Assert.Equal(ProviderStatus.Ok, answer.Status);
        Assert.Equal(2, answer.RequestsSent);
        Assert.Equal(2, fake.RequestCount);
        var asked = Assert.Single(gate.Asked);
        Assert.Same(answer.Attempts[0], asked);
        Assert.NotEqual(ProviderStatus.Ok, answer.Attempts[0].Status);
        Assert.Equal([1, 2], answer.Attempts.Select(a => a.Number));
    }

    [Fact]
    public async Task A_network_error_is_retried_once_when_reserved()
    {
        var nobody = new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}");
        await using var harness = TomTomHarness.Create(nobody);
        var gate = new RetryGate(grant: true);

        var answer = await harness.Provider.GetFlowAsync(Point, gate.Reserve, default);

        Assert.Equal(ProviderStatus.NetworkError, answer.Status);
        Assert.Equal(2, answer.RequestsSent);
        Assert.All(answer.Attempts, a => Assert.Equal(TomTomClient.DetailConnectionRefused, a.ErrorDetail));
        Assert.Single(gate.Asked);
    }

    [Theory]
    [InlineData("400_no_coverage")]
    [InlineData("400_other")]
    [InlineData("401")]
    [InlineData("403")]
    [InlineData("429")]
    [InlineData("200_malformed")]
    public async Task A_4xx_or_a_bad_body_is_never_retried(string first)
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(First(first), new Scripted(200, FakeTomTom.OkBody));
        await using var harness = TomTomHarness.Create(fake.BaseUrl);
        var gate = new RetryGate(grant: true);

        var answer = await harness.Provider.GetFlowAsync(Point, gate.Reserve, default);

        Assert.NotEqual(ProviderStatus.Ok, answer.Status);
        Assert.Equal(1, answer.RequestsSent);
        Assert.Equal(1, fake.RequestCount);
        Assert.Empty(gate.Asked);
    }

    [Fact]
    public async Task No_retry_when_the_extra_request_is_refused_or_no_gate_is_given()
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(new Scripted(503), new Scripted(503), new Scripted(200, FakeTomTom.OkBody));
        await using var harness = TomTomHarness.Create(fake.BaseUrl);
        var refusing = new RetryGate(grant: false);

        var refused = await harness.Provider.GetFlowAsync(Point, refusing.Reserve, default);
        var ungated = await harness.Provider.GetFlowAsync(Point, null, default);

        Assert.Equal(ProviderStatus.HttpError, refused.Status);
        Assert.Equal(1, refused.RequestsSent);
        Assert.Single(refusing.Asked);
        Assert.Equal(ProviderStatus.HttpError, ungated.Status);
        Assert.Equal(1, ungated.RequestsSent);
        Assert.Equal(2, fake.RequestCount);
    }

    [Fact]
    public async Task At_most_one_retry_even_if_it_fails_again()
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(new Scripted(500, "{}"), new Scripted(503), new Scripted(200, FakeTomTom.OkBody));
        await using var harness = TomTomHarness.Create(fake.BaseUrl);
        var gate = new RetryGate(grant: true);

        var answer = await harness.Provider.GetFlowAsync(Point, gate.Reserve, default);

        Assert.Equal(ProviderStatus.HttpError, answer.Status);
        Assert.Equal([500, 503], answer.Attempts.Select(a => a.HttpStatus));
        Assert.Equal(2, fake.RequestCount);
        Assert.Single(gate.Asked);
    }

    [Fact]
    public async Task Every_attempt_sends_its_own_tracking_id()
    {
        await using var fake = await FakeTomTom.StartAsync();
        fake.Then(new Scripted(503), new Scripted(200, FakeTomTom.OkBody));
        await using var harness = TomTomHarness.Create(fake.BaseUrl);

        var answer = await harness.Provider.GetFlowAsync(Point, new RetryGate(true).Reserve, default);

        var sent = fake.Requests.Select(r => r.TrackingId).ToList();
        Assert.Equal(2, sent.Count);
        Assert.All(sent, id => Assert.True(Guid.TryParse(id, out _)));
        Assert.NotEqual(sent[0], sent[1]);
        Assert.Equal(sent, answer.Attempts.Select(a => a.RequestTrackingId));
        Assert.Equal(sent[1], answer.Pieces.Single().TrackingId);
    }

    [Fact]
    public async Task Retries_reserved_in_the_real_ledger_never_exceed_the_budget()
    {
        // Arrange: budget 3; every call fails with 503 and asks the ledger for its retry.
        await using var fake = await FakeTomTom.StartAsync();
        fake.Fallback = new Scripted(503);
        await using var harness = TomTomHarness.Create(fake.BaseUrl);
        var ledger = new QuotaLedger(azurite.NewTables(), new TestOptionsMonitor<QuotaOptions>(new QuotaOptions { Limit = 3 }),
            TimeProvider.System, NullLogger<QuotaLedger>.Instance);
        var provider = harness.Provider;
        ReserveExtraAttempt reserve = async (_, ct) => (await ledger.TryReserveAsync(provider.Name, 1, ct)).Granted;

        // Act: call while the ledger grants the first request, recording every request sent.
        var calls = 0;
        while ((await ledger.TryReserveAsync(provider.Name, 1, default)) is { Granted: true } reservation)
        {
            calls++;
            var answer = await provider.GetFlowAsync(Point, reserve, default);
            foreach (var attempt in answer.Attempts)
            {
                await ledger.RecordOutcomesAsync(provider.Name, reservation.ReservedAtUtc, [attempt.Status], default);
            }
        }

        // Assert: call 1 = first + retry, call 2 = first only (no budget left for its retry).
        var status = await ledger.GetStatusAsync(provider.Name, default);
        Assert.Equal(2, calls);
        Assert.Equal(3, fake.RequestCount);
        Assert.Equal(3, status.Reserved);
        Assert.Equal(3, status.Failed);
        Assert.Equal(3, status.ByStatus[ProviderStatus.HttpError]);
    }

    [Fact]
    public async Task Parallel_collectors_never_send_more_requests_than_the_ledger_allows()
    {
        // Arrange: 8 collectors, each with its own storage client and provider, sharing one ledger row (limit 7)
        // and one failing provider, so every call also asks for its retry.
        await using var fake = await FakeTomTom.StartAsync();
        fake.Fallback = new Scripted(503);
        var storage = azurite.NewStorageOptions();
        var options = new TestOptionsMonitor<QuotaOptions>(new QuotaOptions { Limit = 7 });
        var harnesses = Enumerable.Range(0, 8).Select(_ => TomTomHarness.Create(fake.BaseUrl)).ToList();

        // Act
        var sent = await Task.WhenAll(harnesses.Select(async h =>
        {
            var ledger = new QuotaLedger(TestTables.Open(storage), options, TimeProvider.System, NullLogger<QuotaLedger>.Instance);
            var provider = h.Provider;
            ReserveExtraAttempt reserve = async (_, ct) => (await ledger.TryReserveAsync(provider.Name, 1, ct)).Granted;
            var requests = 0;
            for (var call = 0; call < 3; call++)
            {
                if (!(await ledger.TryReserveAsync(provider.Name, 1, default)).Granted) break;
                requests += (await provider.GetFlowAsync(Point, reserve, default)).RequestsSent;
            }
            return requests;
        }));
        foreach (var h in harnesses) await h.DisposeAsync();

        // Assert
        Assert.Equal(7, fake.RequestCount);
        Assert.Equal(7, sent.Sum());
        var status = await new QuotaLedger(TestTables.Open(storage), options, TimeProvider.System, NullLogger<QuotaLedger>.Instance)
            .GetStatusAsync("tomtom", default);
        Assert.Equal(7, status.Reserved);
    }
}
