using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Ayalon.Core;
using Ayalon.Core.Secrets;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Ayalon.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Secrets;

/// <summary>Tests that set the process's managed-identity environment run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

/// <summary>
/// The app has one Azure identity: the table service client and the Key Vault secret client, both registered with
/// AddAzureClients by AddAyalonCore, take their tokens from the one credential for the identity the settings name.
/// Everything real but the network: the real DefaultAzureCredential asks an App Service managed-identity endpoint
/// (a loopback server, found through IDENTITY_ENDPOINT as on a Function App), the real SDK clients send their
/// requests to transport-level fakes of Table Storage and Key Vault.
/// </summary>
[Trait("Category", "Unit")]
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class AppCredentialTests
{
    private const string ClientId = "3f2a9c1e-0b7d-4e55-9a61-2c8d1f0e7b42";
    private const string IdentityHeader = "identity-header-for-tests";
    private const string StorageToken = "storage-token-for-tests";
    private const string TomTomKey = "tomtom-key-through-the-app-identity";

    [Fact]
    public async Task Tables_and_Key_Vault_take_their_tokens_from_the_one_app_identity()
    {
        await using var identity = await FakeIdentityEndpoint.StartAsync();
        var vault = new FakeKeyVault();
        vault.SetSecret(TomTomKey);
        var tableRequests = new ConcurrentQueue<HttpRequestMessage>();

        var previous = (Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT"), Environment.GetEnvironmentVariable("IDENTITY_HEADER"));
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", identity.Endpoint.ToString());
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", IdentityHeader);
        try
        {
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                // As infra/modules/functionapp.bicep sets them: one user-assigned identity, named twice.
                ["AzureWebJobsStorage:tableServiceUri"] = "https://stayalontest.table.core.windows.net",
                ["AzureWebJobsStorage:clientId"] = ClientId,
                ["AZURE_CLIENT_ID"] = ClientId,
                ["KeyVault:Uri"] = vault.VaultUri.ToString(),
                ["KeyVault:TomTomSecretName"] = vault.SecretName,
            }).Build();
            var services = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging();
            services.AddAyalonCore(config);
            vault.UseTransportIn(services);
            services.PostConfigureAll<TableClientOptions>(o => o.Transport = new HttpClientTransport(new HttpClient(new Answer(request =>
            {
                tableRequests.Enqueue(request);
                return new HttpResponseMessage(HttpStatusCode.NoContent);
            }))));
            await using var sp = services.BuildServiceProvider();

            await sp.GetRequiredService<AyalonTables>().GetAsync(AyalonTables.Cycles);
            var key = await sp.GetRequiredService<ITomTomKeySource>().GetKeyAsync(CancellationToken.None);

            Assert.Equal(TomTomKey, key);
            var created = Assert.Single(tableRequests);
            Assert.Equal("stayalontest.table.core.windows.net", created.RequestUri!.Host);
            Assert.Equal($"Bearer {StorageToken}", created.Headers.Authorization?.ToString());
            Assert.Equal(1, vault.SecretReads); // accepted only with the token the identity endpoint issued for the vault
            Assert.Equal(["https://storage.azure.com", "https://vault.azure.net"],
                identity.Requests.Select(r => r.Resource).Order(StringComparer.Ordinal));
            Assert.All(identity.Requests, r =>
            {
                Assert.Equal(ClientId, r.ClientId);
                Assert.Equal(IdentityHeader, r.Header);
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", previous.Item1);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", previous.Item2);
        }
    }

    private sealed class Answer(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }

    /// <summary>The App Service managed-identity endpoint (IDENTITY_ENDPOINT, API version 2019-08-01) on loopback.</summary>
    private sealed class FakeIdentityEndpoint : IAsyncDisposable
    {
        public sealed record TokenRequest(string? Resource, string? ClientId, string? Header);

        private readonly ConcurrentQueue<TokenRequest> _requests = new();
        private LoopbackServer _server = null!;

        public Uri Endpoint { get; private set; } = null!;

        public IReadOnlyList<TokenRequest> Requests => _requests.ToArray();

        public static async Task<FakeIdentityEndpoint> StartAsync()
        {
            var fake = new FakeIdentityEndpoint();
            fake._server = await LoopbackServer.StartAsync(fake.HandleAsync);
            fake.Endpoint = new Uri(fake._server.BaseUrl, "/msi/token");
            return fake;
        }

        private async Task HandleAsync(HttpContext context)
        {
            var query = context.Request.Query;
            var resource = query["resource"].ToString().TrimEnd('/');
            _requests.Enqueue(new TokenRequest(resource, query["client_id"].ToString(), context.Request.Headers["X-IDENTITY-HEADER"].ToString()));
            var token = resource == "https://vault.azure.net" ? FakeTokenCredential.Token : StorageToken;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["access_token"] = token,
                ["expires_on"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["resource"] = resource,
                ["token_type"] = "Bearer",
                ["client_id"] = query["client_id"].ToString(),
            }));
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
