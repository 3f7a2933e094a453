using Microsoft.Extensions.Logging;

namespace BullMq.Tests.Infrastructure;

/// <summary>Starts C# workers for a test and always stops them, so no worker outlives its test.</summary>
public sealed class Workers(RedisServer redis) : IAsyncDisposable
{
    private readonly List<QueueWorker> _workers = [];
    private readonly List<QueueConnection> _connections = [];

    public QueueWorker Start(
        string queue, Func<Job, CancellationToken, Task<object?>> handler, WorkerOptions? options = null, ILogger? logger = null)
    {
        var connection = redis.NewQueueConnection();
        _connections.Add(connection);
        var worker = new QueueWorker(connection, queue, handler, options ?? Fast, logger: logger);
        _workers.Add(worker);
        worker.Start();
        return worker;
    }

    /// <summary>Short timings so recovery paths run within a test's patience.</summary>
    public static readonly WorkerOptions Fast = new()
    {
        BlockTimeout = TimeSpan.FromSeconds(1),
        LockDuration = TimeSpan.FromSeconds(2),
        StalledInterval = TimeSpan.FromSeconds(1),
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
