using Ayalon.Core;
using Ayalon.Core.Api;
using Ayalon.Core.Corridor;
using Ayalon.DevHost.Simulator;

namespace Ayalon.DevHost.Hosting;

/// <summary>
/// Runs the Functions app's own function classes on Kestrel, without the Azure Functions host: HTTP functions on
/// their routes, timer functions on their schedules, the dashboard from wwwroot, and — when no TomTom key is given
/// or <c>DevHost:Simulator</c> is true — a TomTom simulator on loopback that the app is pointed at.
/// </summary>
public static class DevHostApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";
    public const string SyntheticDemoProfileFile = "Impact/volume-profile.synthetic-demo.json";

    /// <param name="args">Command-line arguments (ASP.NET configuration syntax).</param>
    /// <param name="overrides">Configuration that wins over everything else (tests use it).</param>
    /// <param name="configureServices">Extra service registrations applied last (tests use it, e.g. a fake clock).</param>
    public static async Task<WebApplication> BuildAsync(
        string[] args,
        IDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);

        var configuration = builder.Configuration;
        configuration["AzureWebJobsStorage"] ??= "UseDevelopmentStorage=true";
        configuration["Collector:Schedule"] ??= "0 */5 * * * *";
        builder.WebHost.UseUrls(configuration["DevHost:Urls"] ?? configuration["urls"] ?? DefaultUrl);

        TrafficSimulator? simulator = null;
        SimulatorOptions? simOptions = null;
        if (ShouldUseSimulator(configuration))
        {
            var corridorFile = configuration["Corridor:File"];
            var corridor = string.IsNullOrWhiteSpace(corridorFile) ? CorridorLoader.LoadDefault() : CorridorLoader.LoadFile(corridorFile);
            simOptions = new SimulatorOptions();
            configuration.GetSection("DevHost:SimulatorOptions").Bind(simOptions);
            simulator = await TrafficSimulator.StartAsync(simOptions, corridor, cancellationToken).ConfigureAwait(false);
            configuration["TomTom:BaseUrl"] = simulator.BaseUrl.ToString().TrimEnd('/');
            // A per-run key: the simulator, like TomTom, refuses requests without one.
            configuration["TomTom:ApiKey"] = "simulator-" + Guid.NewGuid().ToString("N");
            // Simulated traffic gets the synthetic demo volume profile so the local run shows every counter; the
            // API and page label its numbers "synthetic demo profile — not measured". Production ships none.
            if (string.IsNullOrWhiteSpace(configuration["Impact:VolumeProfileFile"]))
            {
                configuration["Impact:VolumeProfileFile"] = SyntheticDemoProfileFile;
            }
            builder.Services.AddSingleton(simulator);
        }

        builder.Services.AddAyalonCore(configuration);
        builder.Services.AddMvcCore();
        if (configuration.GetValue("DevHost:RunTimers", true))
        {
            builder.Services.AddHostedService<TimerFunctionService>();
        }
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        if (simulator is not null)
        {
            // The simulated traffic follows the app's clock, so a test's fake clock also drives the diurnal pattern.
            simOptions!.TimeProvider = app.Services.GetRequiredService<TimeProvider>();
            app.Lifetime.ApplicationStopped.Register(() => simulator.DisposeAsync().AsTask().GetAwaiter().GetResult());
            app.Logger.LogInformation("TomTom simulator serving at {SimulatorUrl} (no real TomTom key in use)", simulator.BaseUrl);
        }

        // The same headers the Functions app sets in its worker middleware (security headers, CSP, CORS).
        var headers = app.Services.GetRequiredService<ResponseHeaders>();
        app.Use(async (context, next) =>
        {
            if (headers.Apply(context)) return; // a CORS preflight, answered
            await next(context);
        });
        // Static files are served by the Dashboard function (as in Azure), not by a DevHost-only middleware.
        app.MapAyalonFunctions();
        return app;
    }

    /// <summary>
    /// A configured key with an explicit base URL is always honoured as given (tests point the app at their own
    /// fake provider that way); otherwise no key, or <c>DevHost:Simulator=true</c>, means the simulator.
    /// </summary>
    public static bool ShouldUseSimulator(IConfiguration configuration)
    {
        var hasKey = !string.IsNullOrWhiteSpace(configuration["TomTom:ApiKey"]);
        var hasBaseUrl = !string.IsNullOrWhiteSpace(configuration["TomTom:BaseUrl"]);
        if (hasKey && hasBaseUrl) return false;
        return !hasKey || configuration.GetValue("DevHost:Simulator", false);
    }
}
