using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Hall.Tests.Support;

/// <summary>
/// Writes the server's warnings and errors to NUnit's progress output; with a <paramref name="capture"/> level, also
/// keeps every line from that level up (Debug included), for tests that search what the server logged.
/// </summary>
public sealed class TestLogProvider(LogLevel capture = LogLevel.None) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>The level from which lines are kept; <see cref="LogLevel.None"/> keeps none.</summary>
    public LogLevel Capture => capture;

    /// <summary>The captured lines, each with its level, category, message and exception.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TestLogProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && (logLevel >= LogLevel.Warning || logLevel >= provider.Capture);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"[server {logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}";
            if (logLevel >= provider.Capture)
            {
                provider._lines.Enqueue(line);
            }
            if (logLevel >= LogLevel.Warning)
            {
                TestContext.Progress.WriteLine(line);
            }
        }
    }
}
