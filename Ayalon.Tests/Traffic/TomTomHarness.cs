using Ayalon.Core;
using Ayalon.Core.Traffic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ayalon.Tests.Traffic;

/// <summary>
/// The provider as the hosts build it: the real AddAyalonCore registration (typed HttpClient, handler, logging
/// wiring), pointed at a loopback fake.
/// </summary>
public sealed class TomTomHarness : IAsyncDisposable
{
    public const string Key = "test-key-5f1d2c";

    private TomTomHarness(ServiceProvider services) => Services = services;

    public ServiceProvider Services { get; }
    public TomTomClient Provider => Services.GetRequiredService<TomTomClient>();

    public static TomTomHarness Create(
        Uri baseUrl,
        string? key = Key,
        int timeoutSeconds = 1,
        TimeProvider? time = null,
        ILoggerProvider? logs = null,
        Action<IServiceCollection>? configure = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TomTom:BaseUrl"] = baseUrl.ToString(),
            ["TomTom:ApiKey"] = key,
            ["TomTom:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TomTom:RetryDelayMilliseconds"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null) b.AddProvider(logs);
        });
        if (time is not null) services.AddSingleton(time);
        configure?.Invoke(services);
        services.AddAyalonCore(config);
        return new TomTomHarness(services.BuildServiceProvider(validateScopes: true));
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

/// <summary>Counts the provider's calls to reserve a retry and answers as told.</summary>
public sealed class RetryGate(bool grant)
{
    private readonly List<ProviderAttempt> _asked = [];

    public IReadOnlyList<ProviderAttempt> Asked => _asked;

    public ReserveExtraAttempt Reserve => (failed, _) =>
    {
        lock (_asked) _asked.Add(failed);
        return Task.FromResult(grant);
    };
}
