using BullMq.Tests.Infrastructure;

namespace BullMq.Tests.Worker;

/// <summary>Uses a Redis of its own, because it stops it.</summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task A_worker_survives_redis_going_away_and_resumes_when_it_returns()
    {
        await using var connection = _redis.NewQueueConnection();
        await using var workerConnection = _redis.NewQueueConnection();
        var log = new RecordingLogger();
        var handled = 0;
        await using var worker = new QueueWorker(workerConnection, "outage", (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return Task.FromResult<object?>(null);
        }, Workers.Fast, logger: log);
        worker.Start();
        await new QueueProducer(connection).AddAsync("outage", "before", new { });
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref handled)), n => n == 1, what: "the job before the outage");
        // Finished in Redis, not only handled: killed between the two, Redis would hand the job out again after the
        // outage (its lock expires) and it would be handled a second time.
        await Eventually.Until(async () => (await new QueueOperations(connection, "outage").GetJobCountsAsync())[JobStates.Completed],
            n => n == 1, what: "the job before the outage to be marked completed");

        await _redis.KillAsync();
        await Assert.ThrowsAsync<QueueUnavailableException>(() => new QueueProducer(connection).AddAsync("outage", "during", new { }));
        // Redis comes back only after the worker has met the outage and retried through it.
        await Eventually.Until(() => Task.FromResult(log.Messages.Count(m => m.Contains("Redis unavailable", StringComparison.Ordinal))),
            failures => failures >= 2, what: "the worker to report the outage and retry");
        await _redis.StartAgainAsync();

        // An add whose answer the reconnect lost may have landed all the same: a job id of its own makes the retry harmless.
        await Eventually.Until(
            async () =>
            {
                try
                {
                    await new QueueProducer(connection).AddAsync("outage", "after", new { }, new JobOptions { JobId = "after-the-outage" });
                    return true;
                }
                catch (QueueUnavailableException)
                {
                    return false;
                }
            },
            added => added, TimeSpan.FromSeconds(30), "the producer to reconnect");
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref handled)), n => n == 2, TimeSpan.FromSeconds(30), "the worker to resume");
        Assert.Equal(2, worker.Completed);
        // The reconnected blocking connection carries its name again, so getWorkers() still lists the worker.
        await Eventually.Until(new QueueOperations(connection, "outage").GetWorkerCountAsync, n => n == 1, what: "the worker to be listed again");
    }
}
