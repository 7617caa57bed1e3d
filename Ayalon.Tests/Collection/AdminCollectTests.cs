using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Collection;

/// <summary>POST /api/admin/collect through the DevHost (function-key protected), against its own simulator.</summary>
[Trait("Category", "Integration")]
public sealed class AdminCollectTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Without_the_function_key_admin_collect_answers_401_and_runs_no_cycle(string? functionKey)
    {
        await using var host = await DevHostInstance.StartAsync(azurite);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/collect");
        if (functionKey is not null) request.Headers.Add("x-functions-key", functionKey);

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, host.Simulator!.RequestCount);
    }

    [Fact]
    public async Task With_the_function_key_admin_collect_runs_a_cycle_and_returns_its_record_in_camelCase_without_the_key()
    {
        await using var host = await DevHostInstance.StartAsync(azurite);
        // Simulator mode: HERE (first in the default order) with a per-run key the simulator enforces.
        var providerKey = host.Services.GetRequiredService<IConfiguration>()["Here:ApiKey"];
        Assert.False(string.IsNullOrEmpty(providerKey));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/collect");
        request.Headers.Add("x-functions-key", DevHostInstance.FunctionKey);

        using var response = await host.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.All(root.EnumerateObject(), p => Assert.True(char.IsLower(p.Name[0]), $"'{p.Name}' is not camelCase"));
        Assert.Equal("admin", root.GetProperty("trigger").GetString());
        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.Equal("ok", root.GetProperty("providerStatus").GetString());
        Assert.Equal("here", root.GetProperty("provider").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("cycleId").GetString()));
        var attempts = root.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(1, host.Simulator!.HereFlowRequestCount); // one bbox request covers the corridor
        Assert.Equal(host.Simulator.RequestCount, attempts.Count);
        Assert.Equal(attempts.Count, root.GetProperty("requestsUsed").GetInt32());
        Assert.All(attempts, a =>
        {
            Assert.All(a.EnumerateObject(), p => Assert.True(char.IsLower(p.Name[0]), $"'{p.Name}' is not camelCase"));
            Assert.EndsWith("&apiKey=***", a.GetProperty("redactedUrl").GetString());
            Assert.Equal(200, a.GetProperty("httpStatus").GetInt32());
        });
        Assert.DoesNotContain(providerKey!, body, StringComparison.Ordinal);
    }
}
