using Microsoft.Extensions.Options;

namespace Ayalon.Tests.Quota;

/// <summary>Options whose value a test can change mid-run (as a configuration reload would).</summary>
public sealed class TestOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue { get; set; } = value;

    public T Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
