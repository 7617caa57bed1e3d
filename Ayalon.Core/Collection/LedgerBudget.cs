using Ayalon.Core.Quota;
using Ayalon.Core.Storage;
using Ayalon.Core.Traffic;

namespace Ayalon.Core.Collection;

/// <summary>
/// The quota ledger as one provider's request budget: one reservation per request, in the provider's own row.
/// A reservation that fails on storage is refused (<c>ledger_unavailable</c>) instead of throwing, so the provider
/// returns the answers it already has and the cycle can still charge (or keep pending) every request already sent.
/// </summary>
public sealed class LedgerBudget(QuotaLedger ledger, string provider) : IRequestBudget
{
    public async Task<BudgetDecision> TryReserveAsync(CancellationToken cancellationToken)
    {
        QuotaReservation r;
        try
        {
            r = await ledger.TryReserveAsync(provider, 1, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            return new BudgetDecision(false, ProviderStatus.LedgerUnavailable, null, "ledger_unavailable: " + ex.GetType().Name);
        }
        if (r.Granted) return BudgetDecision.Grant(r.ReservedAtUtc);
        var status = r.DenialReason switch
        {
            QuotaLedger.DeniedQuotaPacing => ProviderStatus.QuotaPacing,
            // Contention is not exhaustion: the row was busy, not full; the next cycle asks again.
            QuotaLedger.DeniedLedgerContention => ProviderStatus.LedgerContention,
            _ => ProviderStatus.QuotaExhausted,
        };
        return new BudgetDecision(false, status, r.ReservedAtUtc,
            FormattableString.Invariant($"{r.DenialReason}: {r.Reserved}/{r.Limit} in {r.PeriodKey}"));
    }
}
