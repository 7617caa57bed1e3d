using System.Text.Json;
using Ayalon.Core.Secrets;
using Ayalon.Core.Traffic;
using Ayalon.Core.Traffic.Here;
using Ayalon.Tests.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Traffic.Here;

/// <summary>
/// No HERE credential (API key, access key secret, issued bearer token) leaks through what the credential paths keep
/// or write: token-request attempts, failure details, exceptions, or any log line of any category at Trace — even
/// when the token endpoint echoes the secret back in bodies and headers.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HereCredentialSecrecyTests
{
    private const string KeyId = "secrecy-key-id";
    private const string CanaryApiKey = "CANARY-HERE-APIKEY-0a1b2c3d";
    private const string CanarySecret = "CANARY-HERE-SECRET-4e5f6a7b";
    private const string CanaryToken = "CANARY-HERE-TOKEN-8c9d0e1f";
    private static readonly string[] Canaries = [CanaryApiKey, CanarySecret, CanaryToken];

    private static readonly Dictionary<string, string> EchoHeaders = new()
    {
        ["X-Correlation-ID"] = "{secret}",
        ["X-Echo"] = "{secret}",
    };

    [Fact]
    public async Task No_credential_appears_in_attempts_details_exceptions_or_logs()
    {
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, CanarySecret).Then(
            new Scripted(401, """{"errorId":"{secret}","httpStatus":401,"errorCode":401300,"message":"Invalid client credentials {secret}"}""", Headers: EchoHeaders),
            new Scripted(400, """{"error":"{secret}","error_description":"bad secret {secret}"}""", Headers: EchoHeaders),
            new Scripted(429, """{"errorCode":429002,"message":"{secret}"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "3", ["X-Correlation-ID"] = "{secret}" }),
            new Scripted(500, "<html>upstream failed for {secret}</html>", Headers: EchoHeaders),
            new Scripted(200, "not json {secret}", Headers: EchoHeaders),
            new Scripted(200, """{"access_token":"{secret} x","token_type":"bearer","expires_in":3600}"""),
            new Scripted(200, "{}", DelaySeconds: 5),
            new Scripted(200, $$"""{"access_token":"{{CanaryToken}}","token_type":"bearer","expires_in":3600}""", Headers: EchoHeaders));
        var logs = new LogCapture();
        var answers = new List<HereAuth>();
        Exception? cancelled;

        // Configuration: OAuth (every token endpoint failure, then a token), the API key, and an unresolved reference.
        await using (var here = HereHarness.Create(account.TokenUrl, accessKeyId: KeyId, accessKeySecret: CanarySecret, timeoutSeconds: 1, logs: logs))
        {
            for (var i = 0; i < 8; i++) answers.Add(await here.Credentials.GetAsync(default));
            here.Credentials.Invalidate();
            using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            account.Delay = TimeSpan.FromSeconds(2);
            cancelled = await Record.ExceptionAsync(() => here.Credentials.GetAsync(soon.Token));
            account.Delay = TimeSpan.Zero;
            Assert.Contains(CanarySecret, here.Credentials.SecretsToRedact);
            Assert.Contains(CanaryToken, here.Credentials.SecretsToRedact);
        }
        await using (var here = HereHarness.Create(account.TokenUrl, apiKey: CanaryApiKey, logs: logs))
        {
            answers.Add(await here.Credentials.GetAsync(default));
        }
        await using (var here = HereHarness.Create(new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}/oauth2/token"),
                         accessKeyId: KeyId, accessKeySecret: CanarySecret, logs: logs))
        {
            answers.Add(await here.Credentials.GetAsync(default)); // connection refused
        }

        // Key Vault: the secrets read through the real SecretClient, then the vault refusing.
        var vault = new FakeKeyVault();
        vault.SetSecret(KeyVaultOptions.DefaultHereApiKeySecretName, CanaryApiKey);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using (var here = HereHarness.Create(account.TokenUrl, time: clock, logs: logs,
                         extra: new() { ["KeyVault:Uri"] = vault.VaultUri.ToString() }, configure: (s, config) => vault.UseIn(s.AddKeyVault(config))))
        {
            answers.Add(await here.Credentials.GetAsync(default));
            here.Credentials.Invalidate();
            vault.FailWith = System.Net.HttpStatusCode.Forbidden;
            answers.Add(await here.Credentials.GetAsync(default));
        }

        // The credentials were really used (the test is not vacuous) …
        Assert.Equal(
            [ProviderStatus.AuthError, ProviderStatus.HttpError, ProviderStatus.RateLimited, ProviderStatus.HttpError, ProviderStatus.ParseError,
             ProviderStatus.ParseError, ProviderStatus.NetworkError, null, null, ProviderStatus.NetworkError, null, ProviderStatus.NotConfigured],
            answers.Select(a => a.FailureStatus));
        Assert.True(account.Requests.All(r => r.SignatureValid), "every request was signed with the canary secret");
        Assert.Equal(CanaryToken, answers[7].BearerToken);
        Assert.Equal(CanaryApiKey, answers[8].ApiKey);
        Assert.Equal(CanaryApiKey, answers[10].ApiKey);
        Assert.IsAssignableFrom<OperationCanceledException>(cancelled);

        // … echoed back by the endpoint, and kept nowhere: not in attempts, details or codes …
        foreach (var answer in answers)
        {
            var kept = JsonSerializer.Serialize(new { answer.FailureStatus, answer.FailureDetail, answer.TokenRequests });
            Assert.All(Canaries, c => Assert.DoesNotContain(c, kept));
        }
        Assert.Equal("401300", answers[0].FailureDetail);
        Assert.Equal("http_400", answers[1].FailureDetail); // the echoed "error" was the secret: not kept as a code (nor read as invalid_client)
        Assert.All(answers.SelectMany(a => a.TokenRequests), a => Assert.DoesNotContain("{", a.ResponseTrackingId ?? ""));
        Assert.Null(answers[0].TokenRequests[0].ResponseTrackingId); // the echoed correlation id held the secret
        Assert.All(Canaries, c => Assert.DoesNotContain(c, cancelled!.ToString()));

        // … nor in any log line of any category, scopes and exceptions included.
        var lines = logs.Lines;
        Assert.Contains(lines, l => l.Category == typeof(HereTokenClient).FullName && l.Text.Contains("401300", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Category.StartsWith("System.Net.Http.HttpClient." + HereTokenClient.HttpClientName, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.All(Canaries, c => Assert.DoesNotContain(c, l.Text)));
    }
}
