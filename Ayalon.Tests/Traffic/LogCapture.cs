using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ayalon.Tests.Traffic;

public sealed record CapturedLog(string Category, LogLevel Level, string Text);

/// <summary>
/// Records every log call of every category at every level: the formatted message, each structured value, the
/// exception (ToString, stack and inner exceptions included) and every scope opened.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _lines = new();

    public IReadOnlyList<CapturedLog> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> lines) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue(new CapturedLog(category, LogLevel.None, "scope: " + Describe(state)));
            return NoScope.Instance;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception) + " | " + Describe(state) + (exception is null ? "" : " | " + exception);
            lines.Enqueue(new CapturedLog(category, logLevel, text));
        }

        private static string Describe(object? state) => state switch
        {
            IEnumerable<KeyValuePair<string, object?>> pairs => string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}")),
            _ => state?.ToString() ?? "",
        };
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }
}
