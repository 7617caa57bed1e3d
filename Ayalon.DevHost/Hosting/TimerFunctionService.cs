using Ayalon.Core.Collection;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.DevHost.Hosting;

/// <summary>Runs each timer-triggered function on its schedule, as the Functions host would.</summary>
public sealed class TimerFunctionService(
    IServiceProvider services,
    IConfiguration configuration,
    CycleSchedule cycleSchedule,
    TimeProvider time,
    ILogger<TimerFunctionService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runners = FunctionCatalog.TimerFunctions().Select(function =>
        {
            var expression = FunctionCatalog.ResolveSetting(function.Schedule, configuration);
            // The collector's timer reads Collector:Schedule: the app's one schedule service, already validated at start.
            var schedule = string.Equals(expression.Trim(), cycleSchedule.Expression, StringComparison.Ordinal) ? cycleSchedule : new CycleSchedule(expression);
            logger.LogInformation("Timer function {Function} scheduled on {Schedule} (UTC), every {IntervalSeconds} s at most",
                function.Name, schedule.Expression, schedule.Interval.TotalSeconds);
            var runner = new CronScheduleRunner(schedule, time, (occurrence, next, ct) => InvokeAsync(function, occurrence, next, ct));
            return runner.RunAsync(stoppingToken);
        });
        return Task.WhenAll(runners);
    }

    private async Task InvokeAsync(TimerFunction function, DateTimeOffset occurrence, DateTimeOffset next, CancellationToken cancellationToken)
    {
        var timerInfo = new TimerInfo
        {
            IsPastDue = time.GetUtcNow() - occurrence > TimeSpan.FromSeconds(30),
            ScheduleStatus = new ScheduleStatus { Last = occurrence.UtcDateTime, Next = next.UtcDateTime, LastUpdated = time.GetUtcNow().UtcDateTime },
        };
        try
        {
            await using var scope = services.CreateAsyncScope();
            await FunctionCatalog.InvokeAsync(scope.ServiceProvider, function.Type, function.Method, p =>
                p.ParameterType == typeof(TimerInfo) ? timerInfo
                : p.ParameterType == typeof(CancellationToken) ? cancellationToken
                : throw new InvalidOperationException($"Timer function {function.Name}: cannot bind '{p.Name}'."));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // As in the Functions host: a failed invocation is logged and the schedule goes on.
            logger.LogError(ex, "Timer function {Function} failed for occurrence {Occurrence}", function.Name, occurrence);
        }
    }
}
