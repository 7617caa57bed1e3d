using Ayalon.Core.Collection;
using Ayalon.Core;
using Ayalon.Functions.Http;
using Ayalon.Functions.Telemetry;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ayalon.Functions;

public static class FunctionsHostExtensions
{
    public const string ApplicationInsightsLoggerProvider =
        "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider";

    /// <summary>Everything the Functions host needs beyond the shared registration: Application Insights.</summary>
    public static FunctionsApplicationBuilder AddAyalonFunctionsHost(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddAyalonTelemetry();
        builder.UseMiddleware<ResponseHeadersMiddleware>();
        builder.Services.AddAyalonCore(builder.Configuration);
        builder.Services.AddAyalonHttp();
        return builder;
    }

    /// <summary>
    /// Application Insights for the worker (WorkerService 2.23.0 + Worker.ApplicationInsights 2.51.0), with:
    /// the collector's custom metrics (<see cref="AppInsightsCollectorTelemetry"/>, replacing the null sink), the cycle
    /// id on everything recorded during a cycle, credentials in URLs redacted from every item, and Information logs
    /// kept. Tests build the same registration with an in-memory channel.
    /// </summary>
    public static IServiceCollection AddAyalonTelemetry(this IServiceCollection services)
    {
        services
            .AddApplicationInsightsTelemetryWorkerService()
            .ConfigureFunctionsApplicationInsights();
        services.AddSingleton<ITelemetryInitializer, CycleTelemetryInitializer>();
        services.AddApplicationInsightsTelemetryProcessor<RedactingTelemetryProcessor>();
        // Registered before AddAyalonCore, whose TryAdd of NullCollectorTelemetry then keeps this one.
        services.TryAddSingleton<ICollectorTelemetry, AppInsightsCollectorTelemetry>();

        // The worker's Application Insights registration adds a filter that keeps only Warning and above.
        // Cycle logs at Information are the operator's record of what happened, so that rule is removed on purpose.
        services.Configure<LoggerFilterOptions>(options =>
        {
            var defaultRule = options.Rules.FirstOrDefault(rule =>
                rule.ProviderName == ApplicationInsightsLoggerProvider && rule.CategoryName is null &&
                rule.LogLevel == LogLevel.Warning && rule.Filter is null);
            if (defaultRule is not null) options.Rules.Remove(defaultRule);
        });
        return services;
    }
}
