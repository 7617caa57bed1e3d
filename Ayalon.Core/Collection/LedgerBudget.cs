using Ayalon.Core.Quota;
using Ayalon.Core.Traffic;

namespace Ayalon.Core.Collection;

/// <summary>The quota ledger as one provider's request budget: one reservation per request, in the provider's own row.</summary>
public sealed class LedgerBudget(QuotaLedger ledger, string provider) : IRequestBudget
{
    public async Task<BudgetDecision> TryReserveAsync(CancellationToken cancellationToken)
    {
        var r = await ledger.TryReserveAsync(provider, 1, cancellationToken).ConfigureAwait(false);
        if (r.Granted) return BudgetDecision.Grant(r.ReservedAtUtc);
        var status = r.DenialReason == ProviderStatus.QuotaPacing ? ProviderStatus.QuotaPacing : ProviderStatus.QuotaExhausted;
        return new BudgetDecision(false, status, r.ReservedAtUtc,
            FormattableString.Invariant($"{r.DenialReason}: {r.Reserved}/{r.Limit} in {r.PeriodKey}"));
    }
}
