namespace BullMq.Tests.Infrastructure;

/// <summary>What every test on the shared Redis needs: a connection, workers that are always stopped, a producer.</summary>
public abstract class QueueTest(RedisServer redis) : IAsyncLifetime
{
    protected RedisServer Redis { get; } = redis;

    protected QueueConnection Connection { get; } = redis.NewQueueConnection();

    protected Workers Workers { get; } = new(redis);

    protected QueueProducer Producer => new(Connection);

    protected QueueOperations Operations(string queue) => new(Connection, queue);

    /// <summary>The job once a worker completed it or gave up on it.</summary>
    protected async Task<Job> FinishedJob(string queue, string id) =>
        (await Eventually.Until(
            () => Operations(queue).GetJobAsync(id),
            job => job?.FinishedOn is not null,
            what: $"job {id} of {queue} to finish"))!;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        await Workers.DisposeAsync();
        await Connection.DisposeAsync();
    }
}

/// <summary>A clock that stays where the test put it.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>The system clock, telling when the code under test first starts a timer (begins to wait for something).</summary>
public sealed class TimerWatchingTime : TimeProvider
{
    private readonly TaskCompletionSource _firstTimer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task FirstTimer => _firstTimer.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _firstTimer.TrySetResult();
        return System.CreateTimer(callback, state, dueTime, period);
    }
}
