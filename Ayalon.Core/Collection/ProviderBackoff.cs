using Ayalon.Core.Traffic;

namespace Ayalon.Core.Collection;

/// <summary>
/// One provider's outage backoff, kept on the cycle lease row (so it survives restarts and every instance sees it):
/// <see cref="ConsecutiveFailures"/> cycles in a row whose turn ended on an outage (5xx, timeout, network error after
/// the one retry), and <see cref="SkipsLeft"/> cycles still to skip before asking it again. <see cref="RetryAfterUtc"/>
/// is when a provider that answered 429 with <c>Retry-After</c> said it may be asked again: cycles before it skip it.
/// </summary>
public sealed record ProviderBackoffState(int ConsecutiveFailures, int SkipsLeft, DateTimeOffset? LastFailureUtc, DateTimeOffset? RetryAfterUtc = null)
{
    public static ProviderBackoffState None { get; } = new(0, 0, null);

    /// <summary>
    /// Skip while skips are left, but never longer than <paramref name="max"/> after the last failure: at the
    /// 5-minute cadence the doubling (1, 2, 4, 8… cycles) would otherwise leave a recovered provider unasked for hours.
    /// </summary>
    public bool ShouldSkip(DateTimeOffset nowUtc, TimeSpan max) =>
        (SkipsLeft > 0 && LastFailureUtc is { } last && nowUtc < last + max) || nowUtc < RetryAfterUtc;

    /// <summary>After a cycle that skipped the provider.</summary>
    public ProviderBackoffState AfterSkip() => this with { SkipsLeft = Math.Max(0, SkipsLeft - 1) };

    /// <summary>
    /// After a 429: no outage (the provider answered), but honour its <c>Retry-After</c>, at most <paramref name="max"/>
    /// ahead (a provider asking for a day would otherwise silence the collector for a day on one header).
    /// </summary>
    public static ProviderBackoffState AfterRateLimited(double? retryAfterSeconds, DateTimeOffset nowUtc, TimeSpan max) =>
        retryAfterSeconds is > 0 and var s
            ? None with { RetryAfterUtc = nowUtc + TimeSpan.FromSeconds(Math.Min(s, max.TotalSeconds)) }
            : None;

    /// <summary>After a cycle that asked the provider: an outage doubles the skips ahead (1, 2, 4…); any answer resets.</summary>
    public ProviderBackoffState AfterAsked(bool outage, DateTimeOffset nowUtc)
    {
        if (!outage) return None;
        var failures = ConsecutiveFailures + 1;
        return new ProviderBackoffState(failures, 1 << Math.Min(failures - 1, 20), nowUtc);
    }
}

/// <summary>Which turns are outages and how a cycle moves every provider's backoff.</summary>
public static class ProviderBackoff
{
    /// <summary>
    /// The provider could not answer at all: its last request failed with a 5xx, a timeout or a network error, after
    /// its one retry (or without one, when the retry was not granted). A 4xx, a parse error or a quota stop is an
    /// answer: backing off would not make it pass, and it is handled by its own rule.
    /// </summary>
    public static bool IsOutage(ProviderFetch fetch) =>
        fetch.Status is ProviderStatus.HttpError or ProviderStatus.NetworkError &&
        fetch.Answers.LastOrDefault(a => a.Status != ProviderStatus.Ok)?.FinalAttempt is { } last && ProviderStatus.IsWorthRetrying(last) &&
        fetch.Answers.All(a => a.Status != ProviderStatus.Ok);

    /// <summary>The states after a cycle: skipped providers count one skip down, asked ones follow their answer, others keep theirs.</summary>
    public static IReadOnlyDictionary<string, ProviderBackoffState> Next(
        IReadOnlyDictionary<string, ProviderBackoffState> before, IEnumerable<ProviderFetch> fetches, DateTimeOffset nowUtc, TimeSpan max)
    {
        var next = new Dictionary<string, ProviderBackoffState>(before, StringComparer.Ordinal);
        foreach (var f in fetches)
        {
            var state = before.GetValueOrDefault(f.Provider) ?? ProviderBackoffState.None;
            if (f.Status == ProviderStatus.ProviderBackoff) next[f.Provider] = state.AfterSkip();
            else if (f.Status == ProviderStatus.RateLimited && f.RequestsSent > 0)
                next[f.Provider] = ProviderBackoffState.AfterRateLimited(f.Answers.LastOrDefault()?.RetryAfterSeconds, nowUtc, max);
            else if (f.RequestsSent > 0) next[f.Provider] = state.AfterAsked(IsOutage(f), nowUtc);
        }
        return next;
    }
}
