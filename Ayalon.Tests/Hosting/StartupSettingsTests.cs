using Ayalon.Core;
using Ayalon.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ayalon.Tests.Hosting;

/// <summary>
/// Every settings section both hosts bind is checked at start: a bad value stops the host with a message naming the
/// setting. Runs what host start runs (<see cref="IStartupValidator"/>) over the hosts' own registration; no I/O.
/// </summary>
[Trait("Category", "Unit")]
public sealed class StartupSettingsTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings, bool withStorage = true)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (withStorage) all["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        foreach (var (k, v) in settings) all[k] = v;
        var config = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging();
        services.AddAyalonCore(config);
        return services.BuildServiceProvider();
    }

    private static string StartFailure(ServiceProvider sp)
    {
        var error = Assert.ThrowsAny<Exception>(() => sp.GetRequiredService<IStartupValidator>().Validate());
        return Messages(error);
    }

    private static string Messages(Exception error) => error switch
    {
        OptionsValidationException v => string.Join(" | ", v.Failures),
        AggregateException a => string.Join(" | ", a.InnerExceptions.Select(Messages)),
        _ => error.Message,
    };

    [Fact]
    public void The_shipped_defaults_with_development_storage_pass_the_start_check()
    {
        using var sp = Services(new());
        sp.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void Identity_based_storage_settings_pass_the_start_check()
    {
        using var sp = Services(new() { ["AzureWebJobsStorage:tableServiceUri"] = "https://stayalon.table.core.windows.net" }, withStorage: false);
        sp.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(new Uri("https://stayalon.table.core.windows.net"), sp.GetRequiredService<StorageOptions>().TableServiceUri);
    }

    [Theory]
    [InlineData("Here:TimeoutSeconds", "0")]
    [InlineData("Here:BaseUrl", "not a url")]
    [InlineData("Here:BboxMarginMeters", "50")]
    [InlineData("TomTom:Zoom", "30")]
    [InlineData("TomTom:TimeoutSeconds", "ten")] // the binder's own error
    [InlineData("TomTom:RetryDelayMilliseconds", "-1")]
    [InlineData("Collector:LeaseSeconds", "5")]
    [InlineData("Collector:Schedule", "every five minutes")]
    [InlineData("Quota:AlertThresholdPercent", "0")]
    [InlineData("Traffic:Providers", "waze")]
    [InlineData("Impact:ConstantsFile", "/no/such/constants.json")]
    [InlineData("Impact:VolumeProfileFile", "/no/such/profile.json")]
    [InlineData("Impact:FuelPriceIlsPerLitre", "cheap")]
    [InlineData("Impact:FuelPriceIlsPerLitre", "99")]
    [InlineData("Storage:TablePrefix", "ayalon-test")]
    [InlineData("AzureWebJobsStorage:tableServiceUri", "stayalon.table")]
    [InlineData("KeyVault:Uri", "@Microsoft.KeyVault(VaultName=kv-ayalon)")]
    [InlineData("KeyVault:Uri", "http://kv-ayalon.vault.azure.net/")]
    [InlineData("KeyVault:TomTomSecretName", "tomtom_api_key")]
    [InlineData("KeyVault:HereAccessKeySecretSecretName", "here/secret")]
    [InlineData("KeyVault:CacheSeconds", "-1")]
    [InlineData("KeyVault:RetrySeconds", "soon")]
    public void A_bad_setting_stops_the_host_naming_the_setting(string key, string value)
    {
        using var sp = Services(new() { [key] = value, ["Impact:FuelPriceSource"] = "operator", ["Impact:FuelPriceMonth"] = "2026-11" });

        Assert.Contains(key, StartFailure(sp), StringComparison.Ordinal);
    }

    [Fact]
    public void Key_Vault_settings_with_blank_secret_names_pass_and_take_the_defaults()
    {
        using var sp = Services(new() { ["KeyVault:Uri"] = "https://kv-ayalon.vault.azure.net/", ["KeyVault:HereApiKeySecretName"] = "" });
        sp.GetRequiredService<IStartupValidator>().Validate();
        var options = sp.GetRequiredService<IOptions<Ayalon.Core.Secrets.KeyVaultOptions>>().Value;
        Assert.Equal(Ayalon.Core.Secrets.KeyVaultOptions.DefaultHereApiKeySecretName, options.HereApiKeySecretName);
        Assert.Equal(new Uri("https://kv-ayalon.vault.azure.net/"), sp.GetRequiredService<Azure.Security.KeyVault.Secrets.SecretClient>().VaultUri);
    }

    [Fact]
    public void Two_different_identities_for_tables_and_Key_Vault_stop_the_host_naming_both_settings()
    {
        using var sp = Services(new()
        {
            ["AzureWebJobsStorage:tableServiceUri"] = "https://stayalon.table.core.windows.net",
            ["AzureWebJobsStorage:clientId"] = "11111111-1111-1111-1111-111111111111",
            ["AZURE_CLIENT_ID"] = "22222222-2222-2222-2222-222222222222",
        }, withStorage: false);

        var failure = StartFailure(sp);
        Assert.Contains("AZURE_CLIENT_ID", failure, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage:clientId", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_storage_settings_stop_the_host_naming_AzureWebJobsStorage()
    {
        using var sp = Services(new(), withStorage: false);

        Assert.Contains("AzureWebJobsStorage is not set", StartFailure(sp), StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_connection_string_stops_the_host_without_echoing_it()
    {
        using var sp = Services(new() { ["AzureWebJobsStorage"] = "AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;this is not a connection string" });

        var message = StartFailure(sp);

        Assert.Contains("AzureWebJobsStorage cannot be read as a storage connection string", message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LWtleS12YWx1ZQ", message, StringComparison.Ordinal);
    }
}
