using System.Globalization;
using Ayalon.Core.Collection;
using Ayalon.Core.Impact;
using Ayalon.Core.Quota;
using Ayalon.Core.ReadModels;
using Ayalon.Core.Secrets;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic.Here;
using Ayalon.Core.Traffic;
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
    public int HttpStatus => HealthStatus.IsServing(Status) ? 200 : 503;
}

public static class CheckStatus
{
    public const string Ok = "ok";
    public const string Warning = "warning";
    public const string Error = "error";
}

/// <summary>
/// Health from persisted data only — the latest-state rows and the quota ledger; it never calls the provider.
/// The status is the freshness rule (<see cref="DataFreshness"/>, with the schedule's thresholds), or <c>error</c>
/// when storage cannot be read; the checks explain why: storage (unreachable, or answered with an error status),
/// freshness, collector, provider, quota, configuration.
/// </summary>
public sealed class HealthService(
    AyalonTables tables,
    LatestStateStore latest,
    QuotaLedger ledger,
    ITomTomKeySource tomTomKey,
    IHereCredentials hereCredentials,
    IConfiguration configuration,
    CycleSchedule schedule,
    Corridor.CorridorDefinition corridor,
    TimeProvider time,
    ILogger<HealthService> logger)
{
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
            checks.Add(Storage(tables.TablesRecreated));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever the failure looks like, health answers (503 "error") and says whether storage answered at all;
            // the exception is logged, never returned.
            string detail;
            if (StorageFailure.Is(ex))
            {
                detail = StorageFailure.Classify(ex).Describe();
                logger.LogWarning("Health: {Failure} ({ExceptionType})", detail, ex.GetType().Name);
            }
            else
            {
                detail = "table storage could not be read (an unexpected failure, logged)";
                logger.LogError(ex, "Health: reading storage failed unexpectedly");
            }
            checks.Add(new HealthCheck("storage", CheckStatus.Error, detail));
            checks.Add(Configuration());
            return new HealthReport(HealthStatus.Error, now, null, null, checks, null, null);
        }

        var thresholds = schedule.Freshness;
        var verdict = DataFreshness.Evaluate(state.Sections, corridor.Sections.Count, thresholds, now);
        checks.Add(Freshness(verdict, thresholds));
        checks.Add(Collector(state.LastCycle, now, thresholds));
        checks.Add(Provider(state.LastCycle));
        checks.Add(Quota(quotas));
        checks.Add(Configuration());

        var last = state.LastCycle is { } c ? new HealthCycle(c.CycleId, c.StartedAtUtc, c.Status, c.ProviderStatus, c.Message) : null;
        return new HealthReport(verdict.Status, now, verdict.AgeSeconds, verdict.NewestObservationUtc, checks, last, quotas.Select(QuotaSummary.From).ToList());
    }

    /// <summary>
    /// Reachable; but a table that disappeared while the app ran (an emulator restarted, an account restored, someone
    /// deleted it) took its rows with it, so the check stays a warning until the app restarts: the gap it leaves in
    /// history and totals has a cause the operator can see.
    /// </summary>
    private static HealthCheck Storage(int tablesRecreated) => tablesRecreated == 0
        ? new HealthCheck("storage", CheckStatus.Ok, "table storage reachable")
        : new HealthCheck("storage", CheckStatus.Warning, string.Create(CultureInfo.InvariantCulture,
            $"table storage reachable; {tablesRecreated} table(s) disappeared and were created again since the app started: the rows they held are gone"));

    private static HealthCheck Freshness(FreshnessVerdict v, FreshnessThresholds t)
    {
        var age = v.AgeSeconds;
        var healthy = t.HealthyBelow.TotalSeconds;
        var degraded = t.DegradedBelow.TotalSeconds;
        return v.Status switch
        {
            HealthStatus.Empty => new("freshness", CheckStatus.Warning, "no observation yet"),
            HealthStatus.Closed => new("freshness", CheckStatus.Ok,
                FormattableString.Invariant($"newest observation {age:0} s old; every section reports a road closure")),
            HealthStatus.Healthy => new("freshness", CheckStatus.Ok, FormattableString.Invariant($"newest observation {age:0} s old (healthy below {healthy:0} s)")),
            HealthStatus.Degraded when !v.AnyValue && age < healthy => new("freshness", CheckStatus.Warning,
                FormattableString.Invariant($"newest observation {age:0} s old, but no section has a measured value (closed or insufficient coverage)")),
            HealthStatus.Degraded => new("freshness", CheckStatus.Warning,
                FormattableString.Invariant($"newest observation {age:0} s old (healthy below {healthy:0} s)")),
            _ => new("freshness", CheckStatus.Error,
                FormattableString.Invariant($"newest observation {age:0} s old (degraded below {degraded:0} s)")),
        };
    }

    private static HealthCheck Collector(CycleRecord? last, DateTimeOffset now, FreshnessThresholds thresholds)
    {
        if (last is null) return new("collector", CheckStatus.Warning, "no collection cycle has run yet");
        var age = (now - last.StartedAtUtc).TotalSeconds;
        var when = FormattableString.Invariant($"last cycle {last.Status}, {age:0} s ago");
        var silentAfter = thresholds.CollectorSilentAfter.TotalSeconds;
        if (age > silentAfter)
            return new("collector", CheckStatus.Error, when + FormattableString.Invariant($" (none for over {silentAfter:0} s)"));
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
