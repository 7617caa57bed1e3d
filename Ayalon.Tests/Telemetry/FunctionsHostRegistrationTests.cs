using Ayalon.Core.Collection;
using Ayalon.Core.Secrets;
using Ayalon.Core.Traffic;
using Ayalon.Functions;
using Ayalon.Functions.Telemetry;
using Microsoft.ApplicationInsights;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Telemetry;

/// <summary>
/// The real Functions host builder (as Program.cs builds it) resolves the telemetry and Key Vault registrations:
/// catches a package mix that builds but fails at start (e.g. WorkerService 3.x with Worker.ApplicationInsights 2.x).
/// </summary>
[Trait("Category", "Unit")]
public sealed class FunctionsHostRegistrationTests
{
    [Fact]
    public void The_functions_host_resolves_app_insights_telemetry_and_the_key_vault_key_source()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] =
            "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";
        builder.Configuration["KeyVault:Uri"] = "https://kv-test.vault.azure.net/";
        builder.Configuration["AZURE_CLIENT_ID"] = "11111111-1111-1111-1111-111111111111";
        builder.Configuration["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        builder.AddAyalonFunctionsHost();
        using var host = builder.Build();

        Assert.IsType<AppInsightsCollectorTelemetry>(host.Services.GetRequiredService<ICollectorTelemetry>());
        Assert.NotNull(host.Services.GetRequiredService<TelemetryClient>());
        var source = Assert.IsType<KeyVaultTomTomKeySource>(host.Services.GetRequiredService<ITomTomKeySource>());
        Assert.Null(source.MissingKeyReason); // nothing read yet; no network call at start
    }
}
