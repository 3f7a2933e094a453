using System.Diagnostics;
using BullMq.Tests.Infrastructure;
using StackExchange.Redis;

namespace BullMq.Tests.Worker;

/// <summary>
/// An idle worker blocks on the queue marker for up to its block timeout. Set far beyond the tests' deadlines, that
/// timeout cannot be what ends a wait here: only the marker, a delayed job's due time or a stop can.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class BlockingWaitTests(RedisServer redis) : QueueTest(redis)
{
    private static readonly WorkerOptions LongBlock = Workers.Fast with { BlockTimeout = TimeSpan.FromMinutes(2) };

    // Tests of this collection run one at a time, so the only blocked client is this test's worker.
    private Task<int> WorkerBlocked() => Eventually.Until(
        async () => (await Redis.Multiplexer.GetServer(Redis.Configuration).ClientListAsync()).Count(c => c.Flags.HasFlag(ClientFlags.Blocked)),
        blocked => blocked == 1, what: "the worker to block on the marker");

    [Fact]
    public async Task An_idle_worker_wakes_for_a_new_job_and_for_a_delayed_job_when_it_is_due()
    {
        var queue = RedisServer.UniqueQueue("wake");
        var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Workers.Start(queue, (job, _) =>
        {
            if (!handled.TrySetResult(job.Name))
            {
                second.TrySetResult(job.Name);
            }

            return Task.FromResult<object?>(null);
        }, LongBlock);
        await WorkerBlocked();

        await Producer.AddAsync(queue, "now", new { });
        Assert.Equal("now", await handled.Task.WaitAsync(TimeSpan.FromSeconds(20)));

        var delayed = await Producer.AddAsync(queue, "soon", new { }, new JobOptions { Delay = 500 });
        Assert.Equal("soon", await second.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        var job = (await Operations(queue).GetJobAsync(delayed.JobId))!;
        Assert.True(job.ProcessedOn - job.Timestamp >= 500, $"the delayed job ran {job.ProcessedOn - job.Timestamp} ms after it was added");
    }

    [Fact]
    public async Task Stopping_an_idle_worker_ends_its_blocking_wait_at_once()
    {
        var queue = RedisServer.UniqueQueue("stop-idle");
        var worker = Workers.Start(queue, (_, _) => Task.FromResult<object?>(null), LongBlock);
        await WorkerBlocked();

        var stopping = Stopwatch.StartNew();
        await worker.StopAsync(TimeSpan.FromMinutes(1));

        // Far below both the block timeout and the stop deadline, so a loaded machine still passes.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"stopping took {stopping.Elapsed}");
    }
}
