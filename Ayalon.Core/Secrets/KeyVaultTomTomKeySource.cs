using Ayalon.Core.Traffic;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ayalon.Core.Secrets;

/// <summary>
/// The TomTom key read from Key Vault secret <see cref="KeyVaultOptions.TomTomSecretName"/> (used when
/// <c>KeyVault__Uri</c> is set): cached, forgotten after an <c>auth_error</c> (<see cref="Invalidate"/>), and a failed
/// read is a reason code (<see cref="KeyVaultSecretReader"/>) with no request sent to TomTom meanwhile.
/// </summary>
public sealed class KeyVaultTomTomKeySource : ITomTomKeySource
{
    private readonly KeyVaultSecretReader _reader;

    public KeyVaultTomTomKeySource(KeyVaultOptions options, TokenCredential credential, SecretClientOptions? clientOptions,
        TimeProvider time, ILogger<KeyVaultTomTomKeySource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reader = new KeyVaultSecretReader(KeyVaultSecretReader.CreateClient(options, credential, clientOptions),
            options.TomTomSecretName, options, time, logger);
    }

    /// <summary>Production: DefaultAzureCredential for the app's user-assigned identity (<c>AZURE_CLIENT_ID</c>).</summary>
    public static KeyVaultTomTomKeySource Create(IConfiguration configuration, IServiceProvider services)
    {
        var settings = KeyVaultClientSettings.Resolve(configuration, services);
        return new KeyVaultTomTomKeySource(KeyVaultOptions.From(configuration), settings.Credential, settings.ClientOptions,
            services.GetService<TimeProvider>() ?? TimeProvider.System, services.GetService<ILogger<KeyVaultTomTomKeySource>>());
    }

    public string? MissingKeyReason => _reader.MissingReason;

    public bool RetryDue => _reader.RetryDue;

    public ValueTask<string?> GetKeyAsync(CancellationToken cancellationToken) => _reader.GetAsync(cancellationToken);

    public void Invalidate() => _reader.Invalidate();
}
