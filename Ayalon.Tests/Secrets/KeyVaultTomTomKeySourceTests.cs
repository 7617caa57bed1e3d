using System.Net;
using Ayalon.Core;
using Ayalon.Core.Collection;
using Ayalon.Core.Corridor;
using Ayalon.Core.Secrets;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.Tests.Traffic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ayalon.Tests.Secrets;

/// <summary>
/// The Key Vault key source through the real SecretClient (challenge, bearer token, REST call, JSON), with only
/// the credential and the HTTP transport faked.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KeyVaultTomTomKeySourceTests : IClassFixture<AzuriteFixture>
{
    private const string KeyV1 = "tomtom-key-v1-7c1e";
    private const string KeyV2 = "tomtom-key-v2-93ab";
    private static readonly string Midpoint = "ayalon_n_arlozorov_rokach";

    private readonly AzuriteFixture _azurite;

    public KeyVaultTomTomKeySourceTests(AzuriteFixture azurite) => _azurite = azurite;

    private static KeyVaultTomTomKeySource Source(FakeKeyVault vault, TimeProvider time, ILoggerProvider? logs = null)
    {
        ILogger<KeyVaultTomTomKeySource>? logger = logs is null ? null : new LoggerFactory([logs]).CreateLogger<KeyVaultTomTomKeySource>();
        return new KeyVaultTomTomKeySource(vault.Client(), Microsoft.Extensions.Options.Options.Create(vault.Options()), time, logger);
    }

    /// <summary>The hosts' registration (AddAyalonCore) with KeyVault:Uri set, the vault faked at the transport.</summary>
    private ServiceProvider Host(FakeKeyVault vault, Uri tomTom, TimeProvider time, LogCapture? logs = null,
        Dictionary<string, string?>? extra = null, bool withStorage = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["KeyVault:Uri"] = vault.VaultUri.ToString(),
            ["TomTom:BaseUrl"] = tomTom.ToString(),
            ["TomTom:TimeoutSeconds"] = "5",
            ["TomTom:RetryDelayMilliseconds"] = "0",
            ["Collector:MinIntervalSeconds"] = "0",
        };
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null) b.AddProvider(logs);
        });
        services.AddSingleton(time);
        if (withStorage) services.AddSingleton(_azurite.NewStorageOptions());
        services.AddAyalonCore(config);
        vault.UseIn(services);
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static GeoPoint At => CorridorLoader.LoadDefault().Find(Midpoint)!.Midpoint;

    [Fact]
    public async Task First_read_goes_through_the_challenge_with_a_vault_scoped_token_and_returns_the_secret()
    {
        var vault = new FakeKeyVault();
        vault.SetSecret(KeyV1);
        var source = Source(vault, new FakeTimeProvider(DateTimeOffset.UtcNow));

        Assert.Null(source.MissingKeyReason); // unknown until the first read: "may be available"
        Assert.Equal(KeyV1, await source.GetKeyAsync(CancellationToken.None));

        Assert.Equal(1, vault.Challenges);
        Assert.Equal(1, vault.SecretReads);
        Assert.Contains("https://vault.azure.net/.default", vault.Credential.Scopes);
        Assert.Null(source.MissingKeyReason);
        Assert.False(source.RetryDue);
    }

    [Fact]
    public async Task The_key_is_cached_for_five_minutes_then_read_again()
    {
        var vault = new FakeKeyVault();
        vault.SetSecret(KeyV1);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var source = Source(vault, clock);

        Assert.Equal(KeyV1, await source.GetKeyAsync(CancellationToken.None));
        vault.SetSecret(KeyV2); // rotated in the vault, but nothing told the app
        clock.Advance(TimeSpan.FromMinutes(4.9));
        Assert.Equal(KeyV1, await source.GetKeyAsync(CancellationToken.None));
        Assert.Equal(KeyV1, await source.GetKeyAsync(CancellationToken.None));
        Assert.Equal(1, vault.SecretReads);

        clock.Advance(TimeSpan.FromMinutes(0.2));
        Assert.Equal(KeyV2, await source.GetKeyAsync(CancellationToken.None));
        Assert.Equal(2, vault.SecretReads);
    }

    [Fact]
    public async Task After_an_auth_error_the_rotated_key_is_read_and_used_without_a_restart()
    {
        var vault = new FakeKeyVault();
        vault.SetSecret(KeyV1);
        await using var tomTom = await FakeTomTom.StartAsync();
        tomTom.Then(new Scripted(200, FakeTomTom.OkBody), new Scripted(403, FakeTomTom.ForbiddenBody), new Scripted(200, FakeTomTom.OkBody));
        await using var host = Host(vault, tomTom.BaseUrl, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var provider = host.GetRequiredService<TomTomClient>();
        Assert.IsType<KeyVaultTomTomKeySource>(host.GetRequiredService<ITomTomKeySource>());

        Assert.Equal(ProviderStatus.Ok, (await provider.GetFlowAsync(At, null, CancellationToken.None)).Status);

        // The operator rotates the key and revokes the old one; the cached key is now rejected.
        vault.SetSecret(KeyV2);
        var rejected = await provider.GetFlowAsync(At, null, CancellationToken.None);
        Assert.Equal(ProviderStatus.AuthError, rejected.Status);

        var next = await provider.GetFlowAsync(At, null, CancellationToken.None);
        Assert.Equal(ProviderStatus.Ok, next.Status);

        Assert.Equal([KeyV1, KeyV1, KeyV2], tomTom.Requests.Select(r => r.Key));
        Assert.Equal(2, vault.SecretReads); // once at start, once after the auth_error — not per request
    }

    [Fact]
    public async Task An_unreachable_vault_is_a_clear_configuration_state_and_nothing_is_sent_to_TomTom()
    {
        var vault = new FakeKeyVault { Unreachable = true };
        vault.SetSecret(KeyV1);
        var logs = new LogCapture();
        await using var tomTom = await FakeTomTom.StartAsync();
        tomTom.Then(new Scripted(200, FakeTomTom.OkBody));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = Host(vault, tomTom.BaseUrl, clock, logs);
        var provider = host.GetRequiredService<TomTomClient>();
        var source = host.GetRequiredService<ITomTomKeySource>();

        Assert.True(provider.IsConfigured); // not known yet: the first request resolves it
        var answer = await provider.GetFlowAsync(At, null, CancellationToken.None);

        Assert.Equal(ProviderStatus.NotConfigured, answer.Status);
        Assert.Equal(KeyVaultSecretReader.VaultUnreachable, answer.Detail);
        Assert.Equal(KeyVaultSecretReader.VaultUnreachable, source.MissingKeyReason);
        Assert.False(provider.IsConfigured); // the next cycle records not_configured without a request
        Assert.Equal(0, tomTom.RequestCount);
        Assert.Empty(answer.Attempts);
        Assert.DoesNotContain(logs.Lines, l => l.Text.Contains(FakeKeyVault.FailureText, StringComparison.Ordinal));

        // The vault comes back: once the retry interval passed the provider may try again, and the key is read.
        vault.Unreachable = false;
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.True(provider.IsConfigured);
        Assert.Equal(KeyVaultSecretReader.VaultUnreachable, source.MissingKeyReason); // sticky until a read succeeds
        Assert.Equal(ProviderStatus.Ok, (await provider.GetFlowAsync(At, null, CancellationToken.None)).Status);
        Assert.Null(source.MissingKeyReason);
        Assert.Equal([KeyV1], tomTom.Requests.Select(r => r.Key));
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, KeyVaultSecretReader.VaultForbidden)]
    [InlineData(HttpStatusCode.NotFound, KeyVaultSecretReader.SecretMissing)]
    [InlineData(HttpStatusCode.InternalServerError, KeyVaultSecretReader.VaultUnreachable)]
    public async Task A_refused_or_missing_secret_has_its_own_reason_code_never_exception_text(HttpStatusCode status, string reason)
    {
        var vault = new FakeKeyVault { FailWith = status };
        var logs = new LogCapture();
        var source = Source(vault, new FakeTimeProvider(DateTimeOffset.UtcNow), logs);

        Assert.Null(await source.GetKeyAsync(CancellationToken.None));

        Assert.Equal(reason, source.MissingKeyReason);
        Assert.False(source.RetryDue);
        Assert.DoesNotContain(logs.Lines, l => l.Text.Contains(FakeKeyVault.FailureText, StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_secret_that_is_never_created_reads_as_missing_then_works_once_it_exists()
    {
        var vault = new FakeKeyVault();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var source = Source(vault, clock);

        Assert.Null(await source.GetKeyAsync(CancellationToken.None));
        Assert.Equal(KeyVaultSecretReader.SecretMissing, source.MissingKeyReason);
        Assert.Null(await source.GetKeyAsync(CancellationToken.None)); // within the retry interval: the vault is not asked
        Assert.Equal(1, vault.SecretReads);

        vault.SetSecret(KeyV1);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(source.RetryDue);
        Assert.Equal(KeyV1, await source.GetKeyAsync(CancellationToken.None));
        Assert.Null(source.MissingKeyReason);
    }

    [Fact]
    public async Task A_vault_outage_after_a_good_read_keeps_the_last_key_but_never_a_rejected_one()
    {
        var vault = new FakeKeyVault();
        vault.SetSecret(KeyV1);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var source = Source(vault, clock);
        Assert.Equal(KeyV1, await source.GetKeyAsync(CancellationToken.None));

        vault.Unreachable = true;
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(KeyV1, await source.GetKeyAsync(CancellationToken.None)); // a vault blip does not stop collection
        Assert.Null(source.MissingKeyReason);

        source.Invalidate(); // TomTom rejected it
        Assert.Null(await source.GetKeyAsync(CancellationToken.None));
        Assert.Equal(KeyVaultSecretReader.VaultUnreachable, source.MissingKeyReason);
    }

    [Fact]
    public async Task An_unresolved_reference_in_the_app_setting_is_a_configuration_error_and_never_sent()
    {
        // Without KeyVault:Uri the key comes from the app setting; App Service leaves the reference literal in it
        // when it cannot resolve it.
        await using var tomTom = await FakeTomTom.StartAsync();
        tomTom.Then(new Scripted(200, FakeTomTom.OkBody));
        var literal = "@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/tomtom-api-key)";
        await using var harness = TomTomHarness.Create(tomTom.BaseUrl, key: literal);
        var source = harness.Services.GetRequiredService<ITomTomKeySource>();

        Assert.IsType<OptionsTomTomKeySource>(source);
        Assert.Equal(CredentialRules.UnresolvedKeyVaultReference, source.MissingKeyReason);
        Assert.False(harness.Provider.IsConfigured);
        var answer = await harness.Provider.GetFlowAsync(At, null, CancellationToken.None);
        Assert.Equal(ProviderStatus.NotConfigured, answer.Status);
        Assert.Equal(CredentialRules.UnresolvedKeyVaultReference, answer.Detail);
        Assert.Equal(0, tomTom.RequestCount);
    }

    [Fact]
    public async Task With_KeyVault_Uri_the_vault_is_the_source_and_an_unresolved_literal_anywhere_is_never_sent()
    {
        var literal = "@Microsoft.KeyVault(VaultName=kv-x;SecretName=tomtom-api-key)";
        await using var tomTom = await FakeTomTom.StartAsync();
        tomTom.Then(new Scripted(200, FakeTomTom.OkBody));

        // 1. The app setting holds the unresolved literal, the vault the real key: the vault's key is used.
        var vault = new FakeKeyVault();
        vault.SetSecret(KeyV1);
        await using (var host = Host(vault, tomTom.BaseUrl, TimeProvider.System, extra: new() { ["TomTom:ApiKey"] = literal }))
        {
            Assert.Equal(ProviderStatus.Ok, (await host.GetRequiredService<TomTomClient>().GetFlowAsync(At, null, CancellationToken.None)).Status);
        }

        // 2. The secret itself holds a reference literal (a copy-paste slip): a configuration error, not a key.
        var badVault = new FakeKeyVault();
        badVault.SetSecret(literal);
        await using (var host = Host(badVault, tomTom.BaseUrl, TimeProvider.System))
        {
            var answer = await host.GetRequiredService<TomTomClient>().GetFlowAsync(At, null, CancellationToken.None);
            Assert.Equal(ProviderStatus.NotConfigured, answer.Status);
            Assert.Equal(CredentialRules.UnresolvedKeyVaultReference, host.GetRequiredService<ITomTomKeySource>().MissingKeyReason);
        }

        // 3. KeyVault:Uri itself is an unresolved literal: a settings error naming the setting, the vault never called.
        var unused = new FakeKeyVault();
        await using (var host = Host(unused, tomTom.BaseUrl, TimeProvider.System, extra: new() { ["KeyVault:Uri"] = literal }))
        {
            var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => host.GetRequiredService<ITomTomKeySource>());
            Assert.Contains("KeyVault:Uri", refused.Message);
            Assert.Contains("not an absolute https URI", refused.Message);
            Assert.Equal(0, unused.Challenges + unused.SecretReads);
        }

        Assert.Equal([KeyV1], tomTom.Requests.Select(r => r.Key));
    }

    [Fact]
    public async Task A_cycle_with_the_vault_unreachable_records_not_configured_and_spends_no_quota()
    {
        var vault = new FakeKeyVault { Unreachable = true };
        await using var tomTom = await FakeTomTom.StartAsync();
        await using var host = Host(vault, tomTom.BaseUrl, TimeProvider.System, withStorage: true);
        var cycle = host.GetRequiredService<CollectionCycle>();

        var record = await cycle.RunAsync("test", CancellationToken.None);

        Assert.Equal(ProviderStatus.NotConfigured, record.ProviderStatus);
        Assert.Equal(CycleStatus.Failed, record.Status);
        Assert.Equal(0, record.RequestsUsed);
        Assert.Equal(0, tomTom.RequestCount);
        var quota = await host.GetRequiredService<Ayalon.Core.Quota.QuotaLedger>().GetStatusAsync("tomtom", CancellationToken.None);
        Assert.Equal(0, quota.Reserved);
        Assert.Equal(KeyVaultSecretReader.VaultUnreachable, host.GetRequiredService<ITomTomKeySource>().MissingKeyReason);
    }
}
