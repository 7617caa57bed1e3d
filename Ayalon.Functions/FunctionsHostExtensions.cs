using Ayalon.Core;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ayalon.Functions;

public static class FunctionsHostExtensions
{
    /// <summary>Everything the Functions host needs beyond the shared registration: Application Insights.</summary>
    public static FunctionsApplicationBuilder AddAyalonFunctionsHost(this FunctionsApplicationBuilder builder)
    {
        builder.Services
            .AddApplicationInsightsTelemetryWorkerService()
            .ConfigureFunctionsApplicationInsights();

        // The worker's Application Insights registration adds a filter that keeps only Warning and above.
        // Cycle logs at Information are the operator's record of what happened, so that rule is removed on purpose.
        builder.Logging.Services.Configure<LoggerFilterOptions>(options =>
        {
            var defaultRule = options.Rules.FirstOrDefault(rule =>
                rule.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (defaultRule is not null) options.Rules.Remove(defaultRule);
        });

        builder.UseMiddleware<ResponseHeadersMiddleware>();
        builder.Services.AddAyalonCore(builder.Configuration);
        return builder;
    }
}
