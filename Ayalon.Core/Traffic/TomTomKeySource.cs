using Ayalon.Core.Secrets;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Traffic;

/// <summary>
/// Where the TomTom key comes from. The default reads <see cref="TomTomOptions.ApiKey"/>; a Key Vault source
/// (SecretClient, cached) replaces it when KeyVault:Uri is set. The key is a secret: never log or echo it.
/// </summary>
public interface ITomTomKeySource
{
    /// <summary>The key, or null when none is usable (see <see cref="MissingKeyReason"/>).</summary>
    ValueTask<string?> GetKeyAsync(CancellationToken cancellationToken);

    /// <summary>Called after an auth_error: forget any cached key so the next read picks up a rotated one.</summary>
    void Invalidate();

    /// <summary>
    /// Why no key is usable, as far as is known without a network call (<see cref="CredentialRules.NoKey"/>,
    /// <see cref="CredentialRules.UnresolvedKeyVaultReference"/>, …); null when a key is, or may be, available.
    /// </summary>
    string? MissingKeyReason { get; }

    /// <summary>
    /// True when <see cref="MissingKeyReason"/> was learnt from a remote read that may succeed now (Key Vault was
    /// unreachable, access or the secret has been fixed since): the collector should try <see cref="GetKeyAsync"/>
    /// again instead of treating the reason as final. Configuration-only sources never retry.
    /// </summary>
    bool RetryDue => false;
}

/// <summary>The key from configuration (<c>TomTom__ApiKey</c>; in Azure an app setting resolved from Key Vault).</summary>
public sealed class OptionsTomTomKeySource(IOptionsMonitor<TomTomOptions> options) : ITomTomKeySource
{
    public ValueTask<string?> GetKeyAsync(CancellationToken cancellationToken)
    {
        var key = options.CurrentValue.ApiKey;
        return ValueTask.FromResult(CredentialRules.Usable(key));
    }

    // Configuration reloads itself; nothing is cached here.
    public void Invalidate()
    {
    }

    public string? MissingKeyReason => CredentialRules.ProblemOf(options.CurrentValue.ApiKey);
}
