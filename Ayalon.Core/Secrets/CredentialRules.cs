namespace Ayalon.Core.Secrets;

/// <summary>
/// What makes a configured provider credential (TomTom key, HERE API key, HERE access key id or secret) unusable.
/// One rule for every provider: a value that fails it is "not configured" and is never sent.
/// </summary>
public static class CredentialRules
{
    public const string NoKey = "no_key";
    public const string UnresolvedKeyVaultReference = "unresolved_key_vault_reference";

    /// <summary>
    /// The literal App Service leaves in an app setting when it could not resolve a Key Vault reference (missing
    /// identity, access or secret). Sent as a credential it would only earn a 401/403 and burn quota: it means
    /// "not configured".
    /// </summary>
    public const string KeyVaultReferencePrefix = "@Microsoft.KeyVault(";

    /// <summary>Null when <paramref name="value"/> is usable, else the reason code.</summary>
    public static string? ProblemOf(string? value) =>
        string.IsNullOrWhiteSpace(value) ? NoKey
        : value.TrimStart().StartsWith(KeyVaultReferencePrefix, StringComparison.OrdinalIgnoreCase) ? UnresolvedKeyVaultReference
        : null;

    /// <summary>The value as it is sent (trimmed), or null when <see cref="ProblemOf"/> finds it unusable.</summary>
    public static string? Usable(string? value) => ProblemOf(value) is null ? value!.Trim() : null;
}
