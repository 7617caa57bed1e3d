using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ayalon.Core.Secrets;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace Ayalon.Tests.Secrets;

/// <summary>A token credential that hands out a fixed bearer token and records the scopes asked for.</summary>
public sealed class FakeTokenCredential : TokenCredential
{
    public const string Token = "fake-access-token-for-tests";

    private readonly ConcurrentQueue<string> _scopes = new();

    public IReadOnlyList<string> Scopes => _scopes.ToArray();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        foreach (var s in requestContext.Scopes) _scopes.Enqueue(s);
        return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>
/// The Key Vault secrets REST API as the real <see cref="SecretClient"/> sees it, behind an HttpMessageHandler:
/// the bearer challenge (401 + WWW-Authenticate) for an unauthenticated request, then
/// <c>GET /secrets/{name}/?api-version=…</c> answering the named secret's current version, 403, 404 (a secret never
/// set or deleted), or a transport failure.
/// </summary>
public sealed class FakeKeyVault : HttpMessageHandler
{
    /// <summary>
    /// A host of its own per instance: SecretClient caches a vault's bearer challenge per host process-wide, so a
    /// shared host would skip the challenge depending on which test ran first.
    /// </summary>
    public Uri VaultUri { get; } = new($"https://fake-vault-{Guid.NewGuid():N}.test/");

    /// <summary>Distinctive text in every failure this fake produces: it must never reach a reason, a log or telemetry.</summary>
    public const string FailureText = "FAKE-VAULT-INTERNAL-FAILURE-TEXT";

    private readonly object _lock = new();
    private readonly Dictionary<string, List<(string Value, string Version)>> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _readNames = new();
    private int _secretReads;
    private int _challenges;

    /// <summary>The secret <see cref="SetSecret(string)"/> writes (TomTom's by default).</summary>
    public string SecretName { get; init; } = KeyVaultOptions.DefaultTomTomSecretName;

    /// <summary>When set, answer every secret read with this status (403, 404, 500 …).</summary>
    public HttpStatusCode? FailWith { get; set; }

    /// <summary>When true, every request fails at the transport (connection refused).</summary>
    public bool Unreachable { get; set; }

    /// <summary>Authorised GETs of any secret that reached the "vault" (challenge round-trips not counted).</summary>
    public int SecretReads => Volatile.Read(ref _secretReads);

    /// <summary>Authorised GETs of one secret.</summary>
    public int ReadsOf(string name) => _readNames.Count(n => n == name);

    public int Challenges => Volatile.Read(ref _challenges);

    public FakeTokenCredential Credential { get; } = new();

    /// <summary>Stores a new version of the secret (what <c>az keyvault secret set</c> does) and returns its version id.</summary>
    public string SetSecret(string value) => SetSecret(SecretName, value);

    /// <summary>Stores a new version of secret <paramref name="name"/>.</summary>
    public string SetSecret(string name, string value)
    {
        lock (_lock)
        {
            var version = Guid.NewGuid().ToString("N");
            if (!_secrets.TryGetValue(name, out var versions)) _secrets[name] = versions = [];
            versions.Add((value, version));
            return version;
        }
    }

    /// <summary>Deletes secret <paramref name="name"/> (every version): reads answer 404 again.</summary>
    public void DeleteSecret(string name)
    {
        lock (_lock)
        {
            _secrets.Remove(name);
        }
    }

    /// <summary>
    /// Makes the app's own SecretClient (registered by AddAyalonCore with <c>AddAzureClients</c>) talk to this fake:
    /// the fake credential for that client, and the fake transport applied after every other option (so the order
    /// against AddAyalonCore does not matter). The real SDK client, challenge and retry code still run.
    /// </summary>
    public IServiceCollection UseIn(IServiceCollection services)
    {
        services.AddAzureClients(azure => azure.AddSecretClient(VaultUri).WithCredential(Credential));
        return UseTransportIn(services);
    }

    /// <summary>Only the transport: the app's SecretClient keeps the app's own credential.</summary>
    public IServiceCollection UseTransportIn(IServiceCollection services) => services.PostConfigureAll<SecretClientOptions>(ConfigureClient);

    /// <summary>A real SecretClient talking to this fake, for tests that build a credential source themselves.</summary>
    public SecretClient Client()
    {
        var options = new SecretClientOptions();
        ConfigureClient(options);
        return new SecretClient(VaultUri, Credential, options);
    }

    private void ConfigureClient(SecretClientOptions options)
    {
        options.Transport = new HttpClientTransport(new HttpClient(this, disposeHandler: false));
        // The fake vault's host is not *.vault.azure.net; the challenge names vault.azure.net as resource.
        options.DisableChallengeResourceVerification = true;
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
    }

    public KeyVaultOptions Options(int cacheSeconds = 300, int retrySeconds = 30) =>
        new() { Uri = VaultUri.ToString(), TomTomSecretName = SecretName, CacheSeconds = cacheSeconds, RetrySeconds = retrySeconds };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Unreachable)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, FailureText,
                new SocketException((int)SocketError.ConnectionRefused));
        }
        if (request.Headers.Authorization is not { Scheme: "Bearer" } auth)
        {
            Interlocked.Increment(ref _challenges);
            var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized)
            {
                Content = Json(new { error = new { code = "Unauthorized", message = "AKV10000: Request is missing a Bearer or PoP token." } }),
            };
            challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer",
                "authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001\", resource=\"https://vault.azure.net\""));
            return Task.FromResult(challenge);
        }
        if (auth.Parameter != FakeTokenCredential.Token)
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = Json(new { error = new { code = "Unauthorized", message = FailureText } }) });
        }

        var path = request.RequestUri!.AbsolutePath.TrimEnd('/');
        var name = path.StartsWith("/secrets/", StringComparison.Ordinal) ? path["/secrets/".Length..] : "";
        if (request.Method != HttpMethod.Get || name.Length == 0 || name.Contains('/') ||
            !request.RequestUri.Query.Contains("api-version=", StringComparison.Ordinal))
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = Json(new { error = new { code = "BadParameter", message = FailureText } }) });
        }

        Interlocked.Increment(ref _secretReads);
        _readNames.Enqueue(name);
        if (FailWith is { } status)
        {
            var code = status == HttpStatusCode.Forbidden ? "Forbidden" : status == HttpStatusCode.NotFound ? "SecretNotFound" : "InternalError";
            return Task.FromResult(new HttpResponseMessage(status) { Content = Json(new { error = new { code, message = FailureText } }) });
        }

        (string Value, string Version) current;
        lock (_lock)
        {
            if (!_secrets.TryGetValue(name, out var versions) || versions.Count == 0)
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound)
                {
                    Content = Json(new { error = new { code = "SecretNotFound", message = FailureText } }),
                });
            }
            current = versions[^1];
        }
        var id = new Uri(VaultUri, $"secrets/{name}/{current.Version}").ToString();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = Json(new
            {
                value = current.Value,
                contentType = "text/plain",
                id,
                attributes = new { enabled = true, created = now, updated = now, recoveryLevel = "Recoverable+Purgeable", recoverableDays = 90 },
                tags = new Dictionary<string, string>(),
            }),
        });
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
