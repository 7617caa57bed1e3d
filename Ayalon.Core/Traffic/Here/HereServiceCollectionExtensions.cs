using Ayalon.Core.Configuration;
using Ayalon.Core.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ayalon.Core.Traffic.Here;

public static class HereServiceCollectionExtensions
{
    /// <summary>
    /// HERE options (validated at start), the token endpoint's HttpClient, and <see cref="IHereCredentials"/>: from
    /// Key Vault when <c>KeyVault:Uri</c> is set (the app reads and re-reads the secrets itself, so rotation needs no
    /// restart), else from configuration (<c>Here:ApiKey</c>, <c>Here:AccessKeyId</c> + <c>Here:AccessKeySecret</c>).
    /// </summary>
    public static IServiceCollection AddHereCredentials(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSettings<HereOptions>(HereOptions.SectionName);

        services.AddHttpClient(HereTokenClient.HttpClientName)
            // Decompression on: the shared exchange (ProviderHttp) asks for gzip.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan) // the token client enforces its own timeout
            // The Authorization header is signed with the access key secret: HttpClientFactory's logging has no place
            // near it. Exchanges are recorded as redacted attempts instead.
            .RemoveAllLoggers();
        services.TryAddSingleton<HereTokenClient>();

        if (KeyVaultOptions.IsConfigured(configuration))
        {
            services.TryAddSingleton<IHereSecretSource>(sp => ActivatorUtilities.CreateInstance<KeyVaultHereSecretSource>(sp, KeyVaultRegistration.Client(sp)));
        }
        services.TryAddSingleton<IHereSecretSource, OptionsHereSecretSource>();
        services.TryAddSingleton<IHereCredentials, HereCredentials>();
        return services;
    }
}
