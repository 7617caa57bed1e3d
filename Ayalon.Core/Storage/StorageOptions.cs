using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Storage;

/// <summary>
/// Where the app's tables live. Bound from <c>AzureWebJobsStorage</c>: either a connection string
/// (locally <c>UseDevelopmentStorage=true</c>) or, in Azure, identity-based settings
/// <c>AzureWebJobsStorage__tableServiceUri</c> (+ optional <c>AzureWebJobsStorage__clientId</c> for a
/// user-assigned identity) — the same settings the Functions host itself uses, so one identity serves both.
/// </summary>
public sealed class StorageOptions
{
    public string? ConnectionString { get; set; }
    public Uri? TableServiceUri { get; set; }
    public string? ClientId { get; set; }

    /// <summary>Prefix for every table name, so tests (and several apps) can share one account.</summary>
    public string TablePrefix { get; set; } = "ayalon";
}

/// <summary>
/// Stops the host at start when the storage settings cannot reach a table service, naming the setting: neither a
/// connection string nor a service URI, a connection string the Tables SDK cannot parse, a service URI or account name
/// that is not one, or a table prefix Azure would refuse. A connection string is never echoed (it may hold a key).
/// </summary>
public sealed class StorageOptionsValidator(IConfiguration configuration)
    : IValidateOptions<StorageOptions>
{
    public const string Setting = "AzureWebJobsStorage";

    // Azure table names: a letter, then letters and digits, at most 63 in all; the longest app table name adds ~20.
    private static readonly Regex Prefix = new("^[A-Za-z][A-Za-z0-9]{0,39}$", RegexOptions.CultureInvariant);
    private static readonly Regex AccountName = new("^[a-z0-9]{3,24}$", RegexOptions.CultureInvariant);

    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var rawUri = configuration[Setting + ":tableServiceUri"];
        var rawAccount = configuration[Setting + ":accountName"];
        if (!string.IsNullOrWhiteSpace(rawUri) && !IsServiceUri(rawUri))
            errors.Add($"{Setting}:tableServiceUri '{rawUri}' is not an absolute https URI (e.g. https://<account>.table.core.windows.net)");
        if (string.IsNullOrWhiteSpace(rawUri) && !string.IsNullOrWhiteSpace(rawAccount) && !AccountName.IsMatch(rawAccount))
            errors.Add($"{Setting}:accountName '{rawAccount}' is not a storage account name (3-24 lowercase letters and digits)");

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (!IsConnectionString(options.ConnectionString))
                errors.Add($"{Setting} cannot be read as a storage connection string (expected UseDevelopmentStorage=true or DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…); the value is not shown");
        }
        else if (options.TableServiceUri is null && errors.Count == 0)
        {
            errors.Add($"{Setting} is not set: a connection string (locally UseDevelopmentStorage=true) or {Setting}__tableServiceUri (or {Setting}__accountName) for an identity");
        }
        else if (options.TableServiceUri is { } uri && !IsServiceUri(uri.OriginalString))
        {
            errors.Add($"{Setting}:tableServiceUri '{uri}' is not an absolute https URI");
        }
        var appClientId = configuration[Secrets.AppCredential.ClientIdSetting];
        if (!string.IsNullOrWhiteSpace(appClientId) && !string.IsNullOrWhiteSpace(options.ClientId) &&
            !string.Equals(appClientId.Trim(), options.ClientId.Trim(), StringComparison.OrdinalIgnoreCase))
            errors.Add($"{Secrets.AppCredential.ClientIdSetting} and {Setting}:clientId name different identities; the app uses one credential for the tables and Key Vault: set both to the client id of the app's user-assigned identity");
        if (!Prefix.IsMatch(options.TablePrefix ?? ""))
            errors.Add($"Storage:TablePrefix '{options.TablePrefix}' must be a letter followed by up to 39 letters or digits (Azure table names allow nothing else)");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // http is allowed for a local emulator endpoint (Azurite serves plain http on loopback).
    private static bool IsServiceUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && !string.IsNullOrEmpty(uri.Host);

    /// <summary>The SDK's own parser decides: constructing a client parses the string and opens no connection.</summary>
    private static bool IsConnectionString(string value)
    {
        try
        {
            _ = new TableServiceClient(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
