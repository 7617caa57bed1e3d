using Ayalon.Core.Api;
using Ayalon.Core.Impact;
using Ayalon.Core.Quota;
using Ayalon.Core.Secrets;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;
using Ayalon.Core.Traffic.Here;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Ayalon.Core.Health;

public sealed record HealthCheck(string Name, string Status, string Detail);

public sealed record HealthCycle(string CycleId, DateTimeOffset StartedAtUtc, string Status, string ProviderStatus, string? Message);

public sealed record HealthReport(
    string Status,
    DateTimeOffset CheckedAtUtc,
    double? DataAgeSeconds,
    DateTimeOffset? NewestObservationUtc,
    IReadOnlyList<HealthCheck> Checks,
    HealthCycle? LastCycle,
    IReadOnlyList<QuotaSummary>? Quotas)
{
    /// <summary>Availability tests key on the code: 200 while data is fresh enough, 503 otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int HttpStatus => Status is HealthStatus.Healthy or HealthStatus.Degraded ? 200 : 503;
}

public static class CheckStatus
{
    public const string Ok = "ok";
    public const string Warning = "warning";
    public const string Error = "error";
}

/// <summary>
/// Health from persisted data only (DESIGN §6) — the latest-state rows and the quota ledger; it never calls the
/// provider. The status is the freshness rule (<see cref="DataFreshness"/>), or <c>error</c> when storage cannot
/// be read; the checks explain why: storage, freshness, collector, provider, quota, configuration.
/// </summary>
public sealed class HealthService(
    LatestStateStore latest,
    QuotaLedger ledger,
    ITomTomKeySource tomTomKey,
    IHereCredentials hereCredentials,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<HealthService> logger)
{
    /// <summary>No cycle for this long (four schedule periods) means the timer is not running: the alert rule's 20 min.</summary>
    public const double CollectorSilentAfterSeconds = 1200;

    public async Task<HealthReport> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var checks = new List<HealthCheck>();
        LatestState state;
        IReadOnlyList<QuotaStatus> quotas;
        try
        {
            state = await latest.ReadAsync(cancellationToken).ConfigureAwait(false);
            quotas = await ledger.GetCurrentStatusesAsync(QuotaOptions.ProviderOrder(configuration), cancellationToken).ConfigureAwait(false);
            checks.Add(new HealthCheck("storage", CheckStatus.Ok, "table storage reachable"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever the failure looks like, health answers (503 "error"); the type is logged, never returned.
            logger.LogWarning("Health: Table Storage unreachable ({ExceptionType})", ex.GetType().Name);
            checks.Add(new HealthCheck("storage", CheckStatus.Error, "table storage unreachable"));
            checks.Add(Configuration());
            return new HealthReport(HealthStatus.Error, now, null, null, checks, null, null);
        }

        var newest = state.Sections.Values.Where(o => o.State == ObservationState.Ok).Select(o => (DateTimeOffset?)o.ObservedAtUtc).Max();
        var status = DataFreshness.StatusFor(newest, now);
        double? age = newest is { } n ? Math.Round((now - n).TotalSeconds, 1) : null;
        checks.Add(Freshness(status, age));
        checks.Add(Collector(state.LastCycle, now));
        checks.Add(Provider(state.LastCycle));
        checks.Add(Quota(quotas));
        checks.Add(Configuration());

        var last = state.LastCycle is { } c ? new HealthCycle(c.CycleId, c.StartedAtUtc, c.Status, c.ProviderStatus, c.Message) : null;
        return new HealthReport(status, now, age, newest, checks, last, quotas.Select(QuotaSummary.From).ToList());
    }

    private static HealthCheck Freshness(string status, double? age) => status switch
    {
        HealthStatus.Empty => new("freshness", CheckStatus.Warning, "no valid observation yet"),
        HealthStatus.Healthy => new("freshness", CheckStatus.Ok, FormattableString.Invariant($"newest valid observation {age:0} s old")),
        HealthStatus.Degraded => new("freshness", CheckStatus.Warning,
            FormattableString.Invariant($"newest valid observation {age:0} s old (healthy below {DataFreshness.HealthyBelowSeconds:0} s)")),
        _ => new("freshness", CheckStatus.Error,
            FormattableString.Invariant($"newest valid observation {age:0} s old (degraded below {DataFreshness.DegradedBelowSeconds:0} s)")),
    };

    private static HealthCheck Collector(CycleRecord? last, DateTimeOffset now)
    {
        if (last is null) return new("collector", CheckStatus.Warning, "no collection cycle has run yet");
        var age = (now - last.StartedAtUtc).TotalSeconds;
        var when = FormattableString.Invariant($"last cycle {last.Status}, {age:0} s ago");
        if (age > CollectorSilentAfterSeconds)
            return new("collector", CheckStatus.Error, when + FormattableString.Invariant($" (none for over {CollectorSilentAfterSeconds:0} s)"));
        return last.Status switch
        {
            CycleStatus.Ok => new("collector", CheckStatus.Ok, when),
            CycleStatus.Partial => new("collector", CheckStatus.Warning, when + " — not every section was measured"),
            _ => new("collector", CheckStatus.Error, when),
        };
    }

    private static HealthCheck Provider(CycleRecord? last)
    {
        var status = last?.ProviderStatus;
        var level = status switch
        {
            null => CheckStatus.Warning,
            ProviderStatus.Ok => CheckStatus.Ok,
            ProviderStatus.QuotaPacing => CheckStatus.Ok, // the plan working: the allowance is spread to the period's end
            ProviderStatus.NoCoverage or ProviderStatus.AuthError or ProviderStatus.NotConfigured or ProviderStatus.QuotaExhausted => CheckStatus.Error,
            _ => CheckStatus.Warning,
        };
        return new("provider", level, ProviderMessages.For(status) + (status is null ? "" : " (" + status + ")"));
    }

    /// <summary>One check for all providers: the worst of them, each named in the detail.</summary>
    private static HealthCheck Quota(IReadOnlyList<QuotaStatus> quotas)
    {
        var level = CheckStatus.Ok;
        var details = new List<string>();
        foreach (var q in quotas)
        {
            var detail = FormattableString.Invariant($"{q.Provider}: {q.Reserved} of {q.Limit} requests used in {q.PeriodKey} ({q.UsedPercent:0.#}%)");
            if (q.Pacing) detail += FormattableString.Invariant($", paced: {q.AllowedByNow} allowed by now");
            if (q.Remaining == 0)
            {
                detail += " — exhausted";
                level = CheckStatus.Error;
            }
            else if (q.Alert)
            {
                detail += q.Pacing ? " — ahead of its pace, above the alert threshold" : " — above the alert threshold";
                if (level == CheckStatus.Ok) level = CheckStatus.Warning;
            }
            details.Add(detail);
        }
        return new("quota", level, details.Count > 0 ? string.Join("; ", details) : "no provider configured");
    }

    /// <summary>
    /// Credentials of every provider in the configured order: an error when none can be asked (no collection at all),
    /// a warning when one has a broken setting (an unresolved Key Vault reference, a vault that refused) while another
    /// still collects; a provider simply left without credentials is not a fault (it takes no part).
    /// </summary>
    private HealthCheck Configuration()
    {
        var reasons = QuotaOptions.ProviderOrder(configuration).Select(p => (Provider: p, Reason: p switch
        {
            TomTomFlowParser.ProviderName => tomTomKey.MissingKeyReason,
            HereFlowParser.ProviderName => hereCredentials.MissingReason,
            _ => null,
        })).ToList();
        var detail = string.Join("; ", reasons.Select(r => r.Provider + ": " + Describe(r.Reason)));
        if (reasons.All(r => r.Reason is not null)) return new("configuration", CheckStatus.Error, "no provider can be asked — " + detail);
        return reasons.Any(r => r.Reason is not null and not CredentialRules.NoKey)
            ? new("configuration", CheckStatus.Warning, detail)
            : new("configuration", CheckStatus.Ok, detail);
    }

    private static string Describe(string? reason) => reason switch
    {
        null => "credentials present",
        CredentialRules.UnresolvedKeyVaultReference =>
            "the credential setting is an unresolved Key Vault reference (check the app's identity and the vault's access)",
        CredentialRules.NoKey => "no credentials configured",
        var other => "credentials unusable (" + other + ")",
    };
}
