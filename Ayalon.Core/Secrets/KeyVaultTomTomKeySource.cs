using Ayalon.Core.Traffic;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Secrets;

/// <summary>
/// The TomTom key read from Key Vault secret <see cref="KeyVaultOptions.TomTomSecretName"/> (used when
/// <c>KeyVault__Uri</c> is set): cached, forgotten after an <c>auth_error</c> (<see cref="Invalidate"/>), and a failed
/// read is a reason code (<see cref="KeyVaultSecretReader"/>) with no request sent to TomTom meanwhile.
/// </summary>
public sealed class KeyVaultTomTomKeySource : ITomTomKeySource
{
    private readonly KeyVaultSecretReader _reader;

    public KeyVaultTomTomKeySource(SecretClient client, IOptions<KeyVaultOptions> options, TimeProvider time,
        ILogger<KeyVaultTomTomKeySource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reader = new KeyVaultSecretReader(client, options.Value.TomTomSecretName, options.Value, time, logger);
    }

    public string? MissingKeyReason => _reader.MissingReason;

    public bool RetryDue => _reader.RetryDue;

    public ValueTask<string?> GetKeyAsync(CancellationToken cancellationToken) => _reader.GetAsync(cancellationToken);

    public void Invalidate() => _reader.Invalidate();
}
