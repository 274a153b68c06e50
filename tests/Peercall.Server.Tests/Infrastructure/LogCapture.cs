using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Peercall.Server.Tests.Infrastructure;

public sealed record CapturedLog(string Category, LogLevel Level, string Message,
    IReadOnlyDictionary<string, object?> Values, Exception? Exception = null);

/// <summary>Keeps what the server's own code logs, with the values of its message template, so tests can check
/// that logs are structured; and every warning or error, the framework's too, so tests can check what an operator
/// would find in the log after bad input.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private readonly ConcurrentQueue<CapturedLog> _warnings = new();

    /// <summary>What the server's own code (categories under Peercall) logged at Information or above.</summary>
    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    /// <summary>Everything logged at Warning or above, by any category: Kestrel and SignalR included.</summary>
    public IReadOnlyList<CapturedLog> Warnings => [.. _warnings];

    /// <summary>Where <see cref="Warnings"/> stands now, to check only what is logged after it.</summary>
    public int WarningMark => _warnings.Count;

    /// <summary>Asserts that since <paramref name="mark"/> nothing was logged as an error, no warning carried a stack
    /// trace, and there were at most <paramref name="connections"/> warnings: one line per offending connection.</summary>
    public void AssertCalmSince(int mark, int connections = 1)
    {
        var since = Warnings.Skip(mark).ToList();
        var listed = string.Join("\n", since.Select(e =>
            $"{e.Level} {e.Category}: {e.Message}{(e.Exception is null ? "" : $" [{e.Exception.GetType().Name}]")}"));
        Assert.True(since.All(e => e.Level < LogLevel.Error), $"Logged as an error:\n{listed}");
        Assert.True(since.All(e => e.Exception is null), $"Logged with a stack trace:\n{listed}");
        Assert.True(since.Count <= connections, $"More than {connections} warning(s) for {connections} connection(s):\n{listed}");
    }

    public ILogger CreateLogger(string categoryName) =>
        new Logger(categoryName, categoryName.StartsWith("Peercall.", StringComparison.Ordinal) ? _entries : null, _warnings);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog>? entries, ConcurrentQueue<CapturedLog> warnings)
        : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            logLevel != LogLevel.None && logLevel >= (entries is null ? LogLevel.Warning : LogLevel.Information);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            var entry = new CapturedLog(category, logLevel, formatter(state, exception), values, exception);
            entries?.Enqueue(entry);
            if (logLevel >= LogLevel.Warning) warnings.Enqueue(entry);
        }
    }
}
