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
