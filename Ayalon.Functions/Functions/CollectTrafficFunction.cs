using Ayalon.Core.Collection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Ayalon.Functions.Functions;

/// <summary>The five-minute collection cycle, on the schedule in app setting <c>Collector__Schedule</c>.</summary>
public sealed class CollectTrafficFunction(CollectionCycle cycle, ILogger<CollectTrafficFunction> logger)
{
    public const string ScheduleExpression = "%Collector:Schedule%";

    [Function("CollectTraffic")]
    public async Task Run([TimerTrigger(ScheduleExpression)] TimerInfo timer, CancellationToken cancellationToken)
    {
        logger.LogInformation("CollectTraffic fired; past due {IsPastDue}, next occurrence {Next}",
            timer.IsPastDue, timer.ScheduleStatus?.Next);
        // A storage failure throws: the invocation fails and is visible as such to the host and the operator.
        await cycle.RunAsync("timer", cancellationToken);
    }
}
