using BullMq.Tests.Infrastructure;

namespace BullMq.Tests.Worker;

/// <summary>A worker whose lock another worker now holds must neither finish the job nor keep running it.</summary>
[Collection(RedisCollection.Name)]
public sealed class LostLockTests(RedisServer redis) : QueueTest(redis)
{
    private static readonly TimeSpan TakenFor = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_finished_job_is_no_longer_renewed_so_its_released_lock_is_never_reported_lost()
    {
        var queue = RedisServer.UniqueQueue("lock-released");
        var keys = new QueueKeys(queue);
        var added = await Producer.AddAsync(queue, "quick", new { });
        var log = new RecordingLogger();

        Workers.Start(queue, (_, _) => Task.FromResult<object?>(null), logger: log);
        var finished = await FinishedJob(queue, added.JobId);
        // Each maintenance pass renews, then runs the stall check, which stamps stalled-check with its time: a stamp
        // after the finish means a renewal pass ran after it.
        await Eventually.Until(async () => (long?)await Redis.Db.StringGetAsync(keys.StalledCheck),
            stamp => stamp > finished.FinishedOn, what: "a maintenance pass after the job finished");

        Assert.DoesNotContain(log.Messages, m => m.Contains("lost the lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_worker_whose_lock_was_taken_does_not_complete_the_job()
    {
        var queue = RedisServer.UniqueQueue("lock-taken");
        var keys = new QueueKeys(queue);
        var added = await Producer.AddAsync(queue, "contested", new { });
        var log = new RecordingLogger();
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        Workers.Start(queue, async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return "mine";
        }, logger: log);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // What a second worker holds after it took the job over.
        await Redis.Db.StringSetAsync(keys.Lock(added.JobId), "another-worker", TakenFor);
        release.SetResult();
        await Eventually.Until(() => Task.FromResult(log.Messages.ToList()),
            messages => messages.Any(m => m.Contains($"lost the lock of job {added.JobId} (completed, code -6)", StringComparison.Ordinal)),
            what: "the worker to report the lost lock when finishing");

        var job = (await Operations(queue).GetJobAsync(added.JobId))!;
        Assert.Equal(JobStates.Active, await Operations(queue).GetStateAsync(added.JobId));
        Assert.Null(job.ReturnValueJson);
        Assert.Null(job.FinishedOn);
        Assert.Equal(0, job.AttemptsMade);
        Assert.Equal("another-worker", (string?)await Redis.Db.StringGetAsync(keys.Lock(added.JobId)));
    }

    [Fact]
    public async Task A_worker_that_cannot_renew_a_taken_lock_cancels_the_handler_and_does_not_fail_the_job()
    {
        var queue = RedisServer.UniqueQueue("lock-gone");
        var keys = new QueueKeys(queue);
        var added = await Producer.AddAsync(queue, "contested", new { }, new JobOptions { Attempts = 3 });
        var log = new RecordingLogger();
        var held = new HeldJob();
        Workers.Start(queue, held.Handle, logger: log);
        await held.Started.WaitAsync(TimeSpan.FromSeconds(20));

        await Redis.Db.StringSetAsync(keys.Lock(added.JobId), "another-worker", TakenFor);
        await held.Cancelled.WaitAsync(TimeSpan.FromSeconds(20));
        // The cancelled attempt ends as a failure, which the lock check refuses too.
        await Eventually.Until(() => Task.FromResult(log.Messages.ToList()),
            messages => messages.Any(m => m.Contains($"lost the lock of job {added.JobId} (retry, code -6)", StringComparison.Ordinal)),
            what: "the worker to report the lost lock when ending the cancelled attempt");

        Assert.Contains(log.Messages, m => m.Contains($"lost the lock of job {added.JobId} (renew, code -2)", StringComparison.Ordinal));
        var job = (await Operations(queue).GetJobAsync(added.JobId))!;
        Assert.Equal(JobStates.Active, await Operations(queue).GetStateAsync(added.JobId));
        Assert.Null(job.FailedReason);
        Assert.Equal(0, job.AttemptsMade);
    }
}
