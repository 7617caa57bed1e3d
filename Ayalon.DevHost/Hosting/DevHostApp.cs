using System.Security.Cryptography;
using Ayalon.Core.Corridor;
using Ayalon.Core;
using Ayalon.Core.Configuration;
using Ayalon.DevHost.Simulator;
using Ayalon.Functions.Http;

namespace Ayalon.DevHost.Hosting;

/// <summary>
/// Runs the Functions app's own function classes on Kestrel, without the Azure Functions host: HTTP functions on
/// their routes, timer functions on their schedules, the dashboard from wwwroot, and — when no provider credential
/// is given or <c>DevHost:Simulator</c> is true — the traffic simulator on loopback, which the app's HERE and TomTom
/// settings are pointed at (HERE first, by the default provider order).
/// </summary>
public static class DevHostApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";
    public const string SyntheticDemoProfileFile = "Impact/volume-profile.synthetic-demo.json";

    /// <summary><c>DevHost:SimulatorAuth</c>: how the app authenticates to the simulated HERE (<c>key</c> or <c>oauth</c>).</summary>
    public const string SimulatorAuthKey = "DevHost:SimulatorAuth";

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
            configuration.GetSection(SimulatorOptions.SectionName).Bind(simOptions);
            var auth = (configuration[SimulatorAuthKey] ?? "key").Trim().ToLowerInvariant();
            if (auth is not ("key" or "oauth"))
                throw new InvalidOperationException($"{SimulatorAuthKey} must be 'key' or 'oauth', not '{configuration[SimulatorAuthKey]}'.");
            // Per-run credentials the simulator enforces, so the app's HERE client really authenticates locally.
            if (auth == "oauth")
            {
                simOptions.HereAccessKeyId = NonEmpty(simOptions.HereAccessKeyId) ?? "simulator-" + Guid.NewGuid().ToString("N")[..20];
                simOptions.HereAccessKeySecret = NonEmpty(simOptions.HereAccessKeySecret) ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            }
            else
            {
                simOptions.HereApiKey = NonEmpty(simOptions.HereApiKey) ?? "simulator-" + Guid.NewGuid().ToString("N");
            }
            // Checked as every settings section is at host start, before anything listens: a bad value names its setting.
            SettingsRegistration.ThrowIfInvalid(simOptions, SimulatorOptions.SectionName);
            simulator = await TrafficSimulator.StartAsync(simOptions, corridor, cancellationToken).ConfigureAwait(false);
            var simulatorUrl = simulator.BaseUrl.ToString().TrimEnd('/');
            configuration["Here:BaseUrl"] = simulatorUrl;
            configuration["Here:TokenUrl"] = simulator.HereTokenUrl.ToString();
            // Only the chosen way is configured: OAuth wins over a key in the app, and a real key must not reach the simulator.
            configuration["Here:ApiKey"] = auth == "key" ? simOptions.HereApiKey : null;
            configuration["Here:AccessKeyId"] = auth == "oauth" ? simOptions.HereAccessKeyId : null;
            configuration["Here:AccessKeySecret"] = auth == "oauth" ? simOptions.HereAccessKeySecret : null;
            configuration["TomTom:BaseUrl"] = simulatorUrl;
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
        builder.Services.AddAyalonHttp();
        builder.Services.AddMvcCore();
        builder.Services.AddSingleton<FunctionKeyGuard>();
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
            app.Logger.LogInformation("Traffic simulator (HERE and TomTom) serving at {SimulatorUrl} (no real provider credential in use)", simulator.BaseUrl);
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
    /// A provider credential (TomTom key, HERE key, or HERE access key id and secret) with that provider's explicit
    /// base URL is always honoured as given (tests point the app at their own provider that way); otherwise no
    /// credential at all, or <c>DevHost:Simulator=true</c>, means the simulator.
    /// </summary>
    public static bool ShouldUseSimulator(IConfiguration configuration)
    {
        var hasTomTom = NonEmpty(configuration["TomTom:ApiKey"]) is not null;
        var hasHere = NonEmpty(configuration["Here:ApiKey"]) is not null ||
                      (NonEmpty(configuration["Here:AccessKeyId"]) is not null && NonEmpty(configuration["Here:AccessKeySecret"]) is not null);
        if ((hasTomTom && NonEmpty(configuration["TomTom:BaseUrl"]) is not null) ||
            (hasHere && NonEmpty(configuration["Here:BaseUrl"]) is not null))
        {
            return false;
        }
        return !(hasTomTom || hasHere) || configuration.GetValue("DevHost:Simulator", false);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
