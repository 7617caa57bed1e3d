using System.Globalization;
using Ayalon.Core.Traffic.Here;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ayalon.Tests.Traffic.Here;

/// <summary>
/// HERE credentials as the hosts build them (<see cref="HereServiceCollectionExtensions.AddHereCredentials"/>: options,
/// the token HttpClient without loggers, the secret source), from in-memory configuration, logging at Trace.
/// </summary>
public sealed class HereHarness : IAsyncDisposable
{
    private HereHarness(ServiceProvider services, IConfigurationRoot configuration)
    {
        Services = services;
        Configuration = configuration;
    }

    public ServiceProvider Services { get; }

    /// <summary>Change a value, then <see cref="IConfigurationRoot.Reload"/>: what an app-setting change does.</summary>
    public IConfigurationRoot Configuration { get; }

    public IHereCredentials Credentials => Services.GetRequiredService<IHereCredentials>();

    public static HereHarness Create(
        Uri? tokenUrl,
        string? apiKey = null,
        string? accessKeyId = null,
        string? accessKeySecret = null,
        int timeoutSeconds = 5,
        TimeProvider? time = null,
        ILoggerProvider? logs = null,
        Dictionary<string, string?>? extra = null,
        Action<IServiceCollection, IConfiguration>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Here:ApiKey"] = apiKey,
            ["Here:AccessKeyId"] = accessKeyId,
            ["Here:AccessKeySecret"] = accessKeySecret,
            ["Here:TimeoutSeconds"] = timeoutSeconds.ToString(CultureInfo.InvariantCulture),
        };
        if (tokenUrl is not null) settings["Here:TokenUrl"] = tokenUrl.ToString();
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null) b.AddProvider(logs);
        });
        if (time is not null) services.AddSingleton(time);
        configure?.Invoke(services, config);
        services.AddHereCredentials(config);
        return new HereHarness(services.BuildServiceProvider(validateScopes: true), config);
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
