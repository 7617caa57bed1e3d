namespace Ayalon.Core.Quota;

/// <summary>
/// One provider's current quota period as <c>/api/health</c> and <c>/api/analytics</c> show it (one shape for both).
/// <c>Used</c> counts reserved requests (in flight included), the number the limit and the pace are checked against.
/// </summary>
/// <param name="Period">The ledger row key, e.g. <c>month-2026-11</c>.</param>
/// <param name="PeriodUnit"><c>day</c> or <c>month</c> (UTC).</param>
/// <param name="AllowedByNow">The pace: the most requests that may be used by now (the limit when not paced).</param>
/// <param name="ProjectedAtPeriodEnd">Use at the period's end if the rate so far holds, capped at the limit.</param>
/// <param name="PacedIntervalSeconds">Period length / limit: one request every this many seconds uses the allowance evenly.</param>
public sealed record QuotaSummary(
    string Provider,
    string Period,
    string PeriodUnit,
    DateTimeOffset PeriodEndUtc,
    int Limit,
    int Used,
    int Remaining,
    double UsedPercent,
    bool Alert,
    bool Pacing,
    int AllowedByNow,
    int ProjectedAtPeriodEnd,
    double? PacedIntervalSeconds)
{
    public static QuotaSummary From(QuotaStatus q)
    {
        ArgumentNullException.ThrowIfNull(q);
        return new(q.Provider, q.PeriodKey, q.Period == QuotaPeriod.Month ? "month" : "day", q.PeriodEndUtc, q.Limit, q.Reserved,
            q.Remaining, Math.Round(q.UsedPercent, 2), q.Alert, q.Pacing, q.AllowedByNow, q.ProjectedAtPeriodEnd,
            q.PacedIntervalSeconds is { } s ? Math.Round(s, 1) : null);
    }
}
