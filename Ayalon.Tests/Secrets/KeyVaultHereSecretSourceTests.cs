using System.Net;
using Ayalon.Core;
using Ayalon.Core.Secrets;
using Ayalon.Core.Traffic;
using Ayalon.Core.Traffic.Here;
using Ayalon.Tests.Traffic;
using Ayalon.Tests.Traffic.Here;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Secrets;

/// <summary>
/// HERE credentials read from Key Vault (per-provider secret names) through the real SecretClient with only the
/// credential and the transport faked, beside TomTom's key in the same vault; OAuth tokens from a loopback endpoint.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KeyVaultHereSecretSourceTests
{
    private const string KeyId = "kv-here-key-id-31";
    private const string SecretV1 = "kv-here-secret-v1-aa";
    private const string SecretV2 = "kv-here-secret-v2-bb";
    private const string ApiKey = "kv-here-api-key-cc";
    private const string TomTomKey = "kv-tomtom-key-dd";
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Both registrations the hosts make, with KeyVault:Uri set and the vault faked at the transport.</summary>
    private static HereHarness Host(FakeKeyVault vault, FakeHereAccount account, TimeProvider time, LogCapture? logs = null) =>
        HereHarness.Create(account.TokenUrl, time: time, logs: logs,
            extra: new() { ["KeyVault:Uri"] = vault.VaultUri.ToString(), ["TomTom:BaseUrl"] = "http://127.0.0.1:1" },
            configure: (s, config) =>
            {
                s.AddAyalonCore(config);
                vault.UseIn(s);
            });

    [Fact]
    public async Task An_OAuth_pair_in_the_vault_gets_a_token_and_the_API_key_secret_is_never_read()
    {
        var vault = new FakeKeyVault();
        vault.SetSecret(KeyVaultOptions.DefaultHereAccessKeyIdSecretName, KeyId);
        vault.SetSecret(KeyVaultOptions.DefaultHereAccessKeySecretSecretName, SecretV1);
        vault.SetSecret(KeyVaultOptions.DefaultHereApiKeySecretName, ApiKey);
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, SecretV1);
        await using var here = Host(vault, account, new FakeTimeProvider(Start));

        var first = await here.Credentials.GetAsync(default);
        var second = await here.Credentials.GetAsync(default);

        Assert.IsType<KeyVaultHereSecretSource>(here.Services.GetRequiredService<IHereSecretSource>());
        Assert.Equal("token-1", first.BearerToken);
        Assert.Equal("token-1", second.BearerToken);
        Assert.True(Assert.Single(account.Requests).SignatureValid);
        Assert.Equal(1, vault.ReadsOf(KeyVaultOptions.DefaultHereAccessKeyIdSecretName));
        Assert.Equal(1, vault.ReadsOf(KeyVaultOptions.DefaultHereAccessKeySecretSecretName));
        Assert.Equal(0, vault.ReadsOf(KeyVaultOptions.DefaultHereApiKeySecretName));
    }

    [Fact]
    public async Task An_API_key_alone_in_the_vault_is_handed_out()
    {
        var vault = new FakeKeyVault();
        vault.SetSecret(KeyVaultOptions.DefaultHereApiKeySecretName, ApiKey);
        await using var account = await FakeHereAccount.StartAsync();
        await using var here = Host(vault, account, new FakeTimeProvider(Start));

        var auth = await here.Credentials.GetAsync(default);

        Assert.Equal(ApiKey, auth.ApiKey);
        Assert.Null(here.Credentials.MissingReason);
        Assert.Equal(0, account.RequestCount);
    }

    [Fact]
    public async Task Without_HERE_secrets_HERE_is_not_configured_quietly_while_TomTom_keeps_working_and_a_new_secret_is_found()
    {
        var vault = new FakeKeyVault();
        vault.SetSecret(TomTomKey); // the operator runs TomTom alone
        var logs = new LogCapture();
        var clock = new FakeTimeProvider(Start);
        await using var account = await FakeHereAccount.StartAsync();
        await using var here = Host(vault, account, clock, logs);

        var auth = await here.Credentials.GetAsync(default);
        var tomTom = await here.Services.GetRequiredService<ITomTomKeySource>().GetKeyAsync(default);

        Assert.Equal(ProviderStatus.NotConfigured, auth.FailureStatus);
        Assert.Equal(KeyVaultSecretReader.SecretMissing, auth.FailureDetail);
        Assert.Equal(KeyVaultSecretReader.SecretMissing, here.Credentials.MissingReason);
        Assert.False(here.Credentials.RetryDue);
        Assert.Equal(TomTomKey, tomTom);
        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Warning);

        // Within the cache interval a missing optional secret is not asked for again …
        await here.Credentials.GetAsync(default);
        Assert.Equal(1, vault.ReadsOf(KeyVaultOptions.DefaultHereApiKeySecretName));

        // … after it, the operator's new secret is found without a restart.
        vault.SetSecret(KeyVaultOptions.DefaultHereApiKeySecretName, ApiKey);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(here.Credentials.RetryDue);
        Assert.Equal(ApiKey, (await here.Credentials.GetAsync(default)).ApiKey);
        Assert.Null(here.Credentials.MissingReason);
        Assert.Equal(0, account.RequestCount);
    }

    [Fact]
    public async Task After_HERE_refuses_the_token_the_rotated_secret_is_read_from_the_vault_and_signs_the_next_request()
    {
        var vault = new FakeKeyVault();
        vault.SetSecret(KeyVaultOptions.DefaultHereAccessKeyIdSecretName, KeyId);
        vault.SetSecret(KeyVaultOptions.DefaultHereAccessKeySecretSecretName, SecretV1);
        await using var account = await FakeHereAccount.StartAsync();
        account.Accept(KeyId, SecretV1);
        await using var here = Host(vault, account, new FakeTimeProvider(Start));
        Assert.Equal("token-1", (await here.Credentials.GetAsync(default)).BearerToken);

        // The operator rotates the secret in HERE's portal and in the vault; the old one stops working.
        vault.SetSecret(KeyVaultOptions.DefaultHereAccessKeySecretSecretName, SecretV2);
        account.Accept(KeyId, SecretV2);
        here.Credentials.Invalidate(); // the HERE client saw a 401 with token-1
        var next = await here.Credentials.GetAsync(default);

        Assert.Equal("token-2", next.BearerToken);
        Assert.True(account.Requests[^1].SignatureValid);
        Assert.Equal(2, vault.ReadsOf(KeyVaultOptions.DefaultHereAccessKeySecretSecretName));
        Assert.Contains(SecretV2, here.Credentials.SecretsToRedact);
    }

    [Fact]
    public async Task Half_an_OAuth_pair_without_an_API_key_is_reported_as_incomplete()
    {
        var vault = new FakeKeyVault();
        vault.SetSecret(KeyVaultOptions.DefaultHereAccessKeyIdSecretName, KeyId);
        await using var account = await FakeHereAccount.StartAsync();
        await using var here = Host(vault, account, new FakeTimeProvider(Start));

        var auth = await here.Credentials.GetAsync(default);

        Assert.Equal(ProviderStatus.NotConfigured, auth.FailureStatus);
        Assert.Equal(HereSecrets.OAuthIncomplete, auth.FailureDetail);
        Assert.Equal(HereSecrets.OAuthIncomplete, here.Credentials.MissingReason);
        Assert.Equal(0, account.RequestCount);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, KeyVaultSecretReader.VaultForbidden)]
    [InlineData(HttpStatusCode.InternalServerError, KeyVaultSecretReader.VaultUnreachable)]
    public async Task A_vault_problem_is_reported_before_missing_secrets_and_logged_as_a_warning(HttpStatusCode status, string reason)
    {
        var vault = new FakeKeyVault { FailWith = status };
        var logs = new LogCapture();
        var clock = new FakeTimeProvider(Start);
        await using var account = await FakeHereAccount.StartAsync();
        await using var here = Host(vault, account, clock, logs);

        var auth = await here.Credentials.GetAsync(default);

        Assert.Equal(ProviderStatus.NotConfigured, auth.FailureStatus);
        Assert.Equal(reason, auth.FailureDetail);
        Assert.Equal(reason, here.Credentials.MissingReason);
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains(reason, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Text.Contains(FakeKeyVault.FailureText, StringComparison.Ordinal));
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(here.Credentials.RetryDue);
    }
}
