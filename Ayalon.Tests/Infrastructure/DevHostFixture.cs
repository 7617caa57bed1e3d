using Ayalon.DevHost.Hosting;
using Ayalon.DevHost.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Infrastructure;

/// <summary>
/// The DevHost in-process on a real Kestrel port, backed by Azurite (fresh tables) and, unless the test supplies
/// its own provider, the TomTom simulator. Exactly what the README's run command starts, minus the console.
/// </summary>
public sealed class DevHostInstance : IAsyncDisposable
{
    private DevHostInstance(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The key function-level routes (POST /api/admin/collect) require in x-functions-key.</summary>
    public const string FunctionKey = "test-function-key";

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => App.Services;
    public TrafficSimulator? Simulator => App.Services.GetService<TrafficSimulator>();

    public static async Task<DevHostInstance> StartAsync(
        AzuriteFixture azurite,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["DevHost:Urls"] = "http://127.0.0.1:0",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = AzuriteFixture.NewTablePrefix(),
            ["DevHost:RunTimers"] = "false",
            ["DevHost:FunctionKey"] = FunctionKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (settings is not null)
        {
            foreach (var (k, v) in settings) config[k] = v;
        }
        var app = await DevHostApp.BuildAsync([], config, configureServices);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new DevHostInstance(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
