using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Peercall.Server.Tests.Infrastructure;

public sealed record CapturedLog(string Category, LogLevel Level, string Message,
    IReadOnlyDictionary<string, object?> Values);

/// <summary>Keeps what the server's own code logs, with the values of its message template, so tests can check
/// that logs are structured.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("Peercall.", StringComparison.Ordinal) ? new Logger(categoryName, _entries) : NullLogger;

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), values));
        }
    }
}
