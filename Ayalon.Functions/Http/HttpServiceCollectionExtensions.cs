using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Functions.Http;

/// <summary>The HTTP edge both hosts share: the handler every function runs through, the response headers, the dashboard's files.</summary>
public static class HttpServiceCollectionExtensions
{
    public static IServiceCollection AddAyalonHttp(this IServiceCollection services)
    {
        services.TryAddSingleton<ApiHandler>();
        services.TryAddSingleton<ResponseHeaders>();
        services.TryAddSingleton(_ => new DashboardFiles());
        return services;
    }
}
