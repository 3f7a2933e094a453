using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BullMq.Tests.Infrastructure;

/// <summary>Keeps every message logged to it, so a test can wait until the code under test reported something.</summary>
public sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _messages.Enqueue(formatter(state, exception));
}
