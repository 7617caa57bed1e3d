using Ayalon.Core.Analytics;
using Ayalon.Core.Audit;
using Ayalon.Core.Collection;
using Ayalon.Core.Configuration;
using Ayalon.Core.Corridor;
using Ayalon.Core.Health;
using Ayalon.Core.Impact;
using Ayalon.Core.Quota;
using Ayalon.Core.ReadModels;
using Ayalon.Core.Secrets;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.Core.Traffic.Here;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ayalon.Core;

/// <summary>The one registration both hosts (Functions and DevHost) call.</summary>
public static class AyalonServiceCollectionExtensions
{
    public static IServiceCollection AddAyalonCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        // Every settings section is validated at host start; a bad value stops the host naming the setting.
        services.AddSettings<TomTomOptions>(TomTomOptions.SectionName);
        services.AddSettings<CollectorOptions>(CollectorOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CollectorOptions>, CycleScheduleValidator>());
        services.AddSettings<QuotaOptions>(QuotaOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuotaOptions>, QuotaOptionsValidator>(_ => new QuotaOptionsValidator(configuration)));
        services.AddSettings<ImpactOptions>(ImpactOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ImpactOptions>, ImpactOptionsValidator>(
            sp => new ImpactOptionsValidator(sp.GetRequiredService<CorridorDefinition>())));

        services.AddAppCredential(configuration);
        services.AddAyalonStorage(configuration);
        services.AddKeyVault(configuration);
        services.TryAddSingleton<CorridorDefinition>(_ =>
        {
            var path = configuration["Corridor:File"];
            return string.IsNullOrWhiteSpace(path) ? CorridorLoader.LoadDefault() : CorridorLoader.LoadFile(path);
        });

        AddProviderHttpClient<TomTomClient>(services);
        AddProviderHttpClient<HereClient>(services);
        services.AddHereCredentials(configuration);
        // KeyVault:Uri set (Azure): the app reads the secret itself, cached, and re-reads it after an auth_error, so
        // a rotated key works without a restart. Otherwise the key comes from configuration (TomTom:ApiKey).
        if (KeyVaultOptions.IsConfigured(configuration))
        {
            services.TryAddSingleton<ITomTomKeySource>(sp => ActivatorUtilities.CreateInstance<KeyVaultTomTomKeySource>(sp, KeyVaultRegistration.Client(sp)));
        }
        services.TryAddSingleton<ITomTomKeySource, OptionsTomTomKeySource>();
        // Every provider is registered once as ITrafficProvider; Traffic:Providers picks and orders them.
        services.AddTransient<ITrafficProvider>(sp => sp.GetRequiredService<HereClient>());
        services.AddTransient<ITrafficProvider>(sp => sp.GetRequiredService<TomTomClient>());
        services.AddSettings<TrafficOptions>(TrafficOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrafficOptions>, TrafficOptionsValidator>());
        services.TryAddTransient<TrafficProviders>();

        services.TryAddSingleton<ImpactSettings>();
        services.TryAddSingleton<LatestStateStore>();
        services.TryAddSingleton<ObservationStore>();
        services.TryAddSingleton<CycleStore>();
        services.TryAddSingleton<RollupStore>();
        services.TryAddSingleton<RawResponseArchive>();
        services.TryAddSingleton<QuotaLedger>();
        services.TryAddSingleton<CycleLease>();
        services.TryAddSingleton<CycleBacklog>();
        services.TryAddSingleton<ICollectorTelemetry, NullCollectorTelemetry>();
        // Transient: it holds the typed provider HttpClient, which the factory hands out fresh.
        services.TryAddTransient<CollectionCycle>();
        services.TryAddSingleton<CycleAudit>();
        services.TryAddSingleton(sp => new CycleSchedule(sp.GetRequiredService<IOptions<CollectorOptions>>()));
        services.TryAddSingleton<CorridorService>();
        services.TryAddSingleton<ImpactService>();
        services.TryAddSingleton<RollupReader>();
        services.TryAddSingleton<UsualDelayService>();
        services.AddHostedService<RollupCacheWarmup>();
        services.TryAddSingleton<HistoryService>();
        services.TryAddSingleton<AnalyticsService>();
        services.TryAddSingleton<HealthService>();
        return services;
    }

    /// <summary>A provider's typed HttpClient: gzip, pooled connections renewed every 5 minutes (DNS changes), no logging.</summary>
    private static void AddProviderHttpClient<TClient>(IServiceCollection services)
        where TClient : class =>
        services.AddHttpClient<TClient>()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan) // the client enforces its own per-request timeout
            // HttpClientFactory logs full request URIs, query string (and so the key) included: no logging for a
            // provider client; the attempt records carry a redacted URL instead.
            .RemoveAllLoggers();
}
