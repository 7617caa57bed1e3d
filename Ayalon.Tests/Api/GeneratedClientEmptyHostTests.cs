using System.Net;
using Ayalon.Tests.Generated.AyalonClient.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace Ayalon.Tests.Api;

/// <summary>The generated client against a DevHost that has collected nothing yet: the 503 health and the nulls.</summary>
[Trait("Category", "Integration")]
public class GeneratedClientEmptyHostTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Health_503_is_read_whole_as_the_Health_model()
    {
        await using var host = await ApiHost.StartAsync(azurite);
        using var api = new GeneratedClient(host.Host.BaseAddress);

        // Kiota's default middleware retries a 503 three times with back-off; for health a 503 is the answer, not a
        // transient failure, so a caller turns the retries off for this request (docs/API.md).
        var health = await Assert.ThrowsAsync<Health>(() =>
            api.Client.Api.Health.GetAsync(c => c.Options.Add(new RetryHandlerOption { MaxRetry = 0 })));

        Assert.Equal((int)HttpStatusCode.ServiceUnavailable, health.ResponseStatusCode);
        Assert.Equal(Health_status.Empty, health.Status);
        Assert.Null(health.LastCycle);
        await api.AssertHoldsLastBodyAsync(health, "health (empty)");
    }

    [Fact]
    public async Task Impact_before_any_cycle_is_read_whole_with_its_nulls()
    {
        await using var host = await ApiHost.StartAsync(azurite);
        using var api = new GeneratedClient(host.Host.BaseAddress);

        var impact = await api.Client.Api.Impact.GetAsync();

        Assert.NotNull(impact);
        await api.AssertHoldsLastBodyAsync(impact, "impact (empty)");
        Assert.Equal(Impact_dataStatus.Empty, impact.DataStatus);
        Assert.All(impact.Sections!, s => Assert.Equal(Impact_sections_state.None, s.State));
        Assert.All(impact.Sections!, s => Assert.Null(s.DelaySeconds));
    }

    [Fact]
    public async Task Admin_collect_runs_a_cycle_with_the_function_key_and_is_401_without()
    {
        await using var host = await ApiHost.StartAsync(azurite);
        using var api = new GeneratedClient(host.Host.BaseAddress);

        var refused = await Assert.ThrowsAsync<ApiException>(() => api.Client.Api.Admin.Collect.PostAsync());
        Assert.Equal(401, refused.ResponseStatusCode);

        // Kiota's ApiKeyAuthenticationProvider sends keys over https only; the DevHost here is plain http on
        // loopback, so the key goes in as a request header (docs/API.md).
        var cycle = await api.Client.Api.Admin.Collect.PostAsync(c => c.Headers.Add("x-functions-key", DevHostInstance.FunctionKey));

        Assert.NotNull(cycle);
        await api.AssertHoldsLastBodyAsync(cycle, "collect");
        Assert.Equal("ok", cycle.AdditionalData["status"]);
        Assert.Equal(Health_status.Healthy, (await api.Client.Api.Health.GetAsync())!.Status);
    }
}
