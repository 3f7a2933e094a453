using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using BullMq.Tests.Infrastructure;

namespace BullMq.Tests.Worker;

[Collection(RedisCollection.Name)]
public sealed class WorkerTests(RedisServer redis) : QueueTest(redis)
{
    [Fact]
    public async Task A_completed_job_keeps_the_handler_result_as_its_return_value()
    {
        var queue = RedisServer.UniqueQueue("complete");
        var added = await Producer.AddAsync(queue, "sum", new { a = 2, b = 3 });

        Workers.Start(queue, (job, _) =>
        {
            var data = job.ParseData();
            return Task.FromResult<object?>(new { sum = data.GetProperty("a").GetInt32() + data.GetProperty("b").GetInt32() });
        });
        var job = await FinishedJob(queue, added.JobId);

        Assert.Equal("""{"sum":5}""", job.ReturnValueJson);
        Assert.Equal(1, job.AttemptsMade);
        Assert.Equal(JobStates.Completed, await Operations(queue).GetStateAsync(added.JobId));
        Assert.Equal(0, await Redis.Db.ListLengthAsync(new QueueKeys(queue).Active));
        Assert.False(await Redis.Db.KeyExistsAsync(new QueueKeys(queue).Lock(added.JobId)));
    }

    [Fact]
    public async Task A_failing_job_is_retried_through_delayed_with_its_backoff_until_it_succeeds()
    {
        var queue = RedisServer.UniqueQueue("retry");
        var added = await Producer.AddAsync(queue, "flaky", new { }, new JobOptions { Attempts = 3, Backoff = Backoff.Fixed(200) });
        var starts = new ConcurrentQueue<long>();
        var log = new RecordingLogger();

        Workers.Start(queue, (_, _) =>
        {
            starts.Enqueue(Stopwatch.GetTimestamp());
            return starts.Count < 3 ? throw new InvalidOperationException($"boom {starts.Count}") : Task.FromResult<object?>("ok");
        }, logger: log);
        var job = await FinishedJob(queue, added.JobId);

        Assert.Equal(3, job.AttemptsMade);
        Assert.Equal("\"ok\"", job.ReturnValueJson);
        // Each retry waited out its backoff: an attempt starts at least 200 ms after the one before it began.
        var times = starts.ToArray();
        Assert.Equal(3, times.Length);
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(
            Stopwatch.GetElapsedTime(pair.First, pair.Second) >= TimeSpan.FromMilliseconds(200),
            $"a retry began {Stopwatch.GetElapsedTime(pair.First, pair.Second).TotalMilliseconds} ms after the attempt before it"));
        var events = (await Redis.Db.StreamRangeAsync(new QueueKeys(queue).Events)).Select(e => (string)e["event"]!).ToList();
        Assert.Equal(2, events.Count(e => e == "delayed"));
        Assert.Contains(log.Messages, m => m.Contains($"job {added.JobId} attempt 2 failed, retrying after 200 ms: boom 2", StringComparison.Ordinal));
        Assert.Equal(1, events.Count(e => e == "completed"));
    }

    [Fact]
    public async Task A_job_out_of_attempts_fails_with_its_reason_and_every_stack_trace()
    {
        var queue = RedisServer.UniqueQueue("fail");
        var added = await Producer.AddAsync(queue, "doomed", new { }, new JobOptions { Attempts = 2 });

        var worker = Workers.Start(queue, (_, _) => throw new InvalidOperationException("disk on fire"));
        var job = await FinishedJob(queue, added.JobId);

        Assert.Equal("disk on fire", job.FailedReason);
        Assert.Equal(2, job.AttemptsMade);
        Assert.Equal(2, JsonSerializer.Deserialize<string[]>(job.StacktraceJson!)!.Length);
        Assert.Equal(JobStates.Failed, await Operations(queue).GetStateAsync(added.JobId));
        Assert.Equal(2, worker.FailedAttempts);
        Assert.Equal(0, worker.Completed);
        // Without a backoff the retry goes straight back to wait, never through delayed.
        var events = (await Redis.Db.StreamRangeAsync(new QueueKeys(queue).Events)).Select(e => (string)e["event"]!).ToList();
        Assert.Equal(["added", "waiting", "active", "waiting", "active", "failed", "retries-exhausted", "drained"], events);
    }

    [Fact]
    public async Task A_failed_job_keeps_the_stack_traces_of_its_last_ten_attempts()
    {
        var queue = RedisServer.UniqueQueue("stacktraces");
        var added = await Producer.AddAsync(queue, "doomed", new { }, new JobOptions { Attempts = 12 });
        var attempt = 0;

        Workers.Start(queue, (_, _) => throw new InvalidOperationException($"attempt {Interlocked.Increment(ref attempt)} failed"));
        var job = await FinishedJob(queue, added.JobId);

        var traces = JsonSerializer.Deserialize<string[]>(job.StacktraceJson!)!;
        Assert.Equal(
            Enumerable.Range(3, 10).Select(n => $"attempt {n} failed"),
            traces.Select(t => t.Split(Environment.NewLine)[0].Split(": ", 2)[1]));
    }

    [Fact]
    public async Task A_worker_cannot_be_started_twice()
    {
        var worker = Workers.Start(RedisServer.UniqueQueue("twice"), (_, _) => Task.FromResult<object?>(null));

        Assert.Throws<InvalidOperationException>(worker.Start);
    }

    [Fact]
    public async Task An_unrecoverable_failure_is_final_whatever_attempts_remain()
    {
        var queue = RedisServer.UniqueQueue("unrecoverable");
        var added = await Producer.AddAsync(queue, "bad", new { }, new JobOptions { Attempts = 5 });

        Workers.Start(queue, (_, _) => throw new UnrecoverableJobException("malformed event"));
        var job = await FinishedJob(queue, added.JobId);

        Assert.Equal(1, job.AttemptsMade);
        Assert.Equal("malformed event", job.FailedReason);
    }

    [Fact]
    public async Task A_job_whose_data_is_not_json_fails_with_a_clear_reason_and_the_worker_keeps_going()
    {
        var queue = RedisServer.UniqueQueue("notjson");
        var keys = new QueueKeys(queue);
        // Written by hand, as a foreign producer might: BullMQ's layout with broken data.
        await Redis.Db.HashSetAsync(keys.Job("broken"), [new("name", "e"), new("data", "{oops"), new("opts", "{}"), new("timestamp", 1)]);
        await Redis.Db.ListLeftPushAsync(keys.Wait, "broken");
        var good = await Producer.AddAsync(queue, "e", new { fine = true });
        var handled = new ConcurrentBag<string>();

        Workers.Start(queue, (job, _) =>
        {
            handled.Add(job.Id);
            return Task.FromResult<object?>(null);
        });
        var broken = await FinishedJob(queue, "broken");
        await FinishedJob(queue, good.JobId);

        Assert.StartsWith("Job data is not valid JSON", broken.FailedReason, StringComparison.Ordinal);
        Assert.Equal("[]", broken.StacktraceJson);
        Assert.Equal([good.JobId], handled);
    }

    [Fact]
    public async Task Jobs_run_concurrently_up_to_the_limit_and_each_exactly_once()
    {
        var queue = RedisServer.UniqueQueue("concurrency");
        var ids = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            ids.Add((await Producer.AddAsync(queue, "e", new { i })).JobId);
        }

        var runs = new ConcurrentDictionary<string, int>();
        var running = 0;
        var mostAtOnce = 0;
        // No job ends before 8 run at once: a worker that ran fewer in parallel would never open the gate.
        var allSlotsBusy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Workers.Start(queue, async (job, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            runs.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
            if (now == 8)
            {
                allSlotsBusy.TrySetResult();
            }

            await allSlotsBusy.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            await Task.Delay(20, CancellationToken.None);
            Interlocked.Decrement(ref running);
            return null;
        }, Workers.Fast with { Concurrency = 8 });

        await Eventually.Until(() => Operations(queue).GetJobCountsAsync(), c => c[JobStates.Completed] == 100, TimeSpan.FromSeconds(40), "100 completed");

        Assert.Equal(ids.Order(), runs.Keys.Order());
        Assert.All(runs.Values, n => Assert.Equal(1, n));
        Assert.Equal(8, mostAtOnce);
    }

    [Fact]
    public async Task Prioritized_jobs_run_in_priority_order_and_delayed_ones_wait_for_their_time()
    {
        var queue = RedisServer.UniqueQueue("order");
        var operations = Operations(queue);
        await operations.PauseAsync();
        var low = await Producer.AddAsync(queue, "low", new { }, new JobOptions { Priority = 10 });
        var high = await Producer.AddAsync(queue, "high", new { }, new JobOptions { Priority = 1 });
        var later = await Producer.AddAsync(queue, "later", new { }, new JobOptions { Delay = 1500 });
        var order = new ConcurrentQueue<string>();
        Workers.Start(queue, (job, _) =>
        {
            order.Enqueue(job.Name);
            return Task.FromResult<object?>(null);
        });

        Assert.Equal(JobStates.Delayed, await operations.GetStateAsync(later.JobId));
        await operations.ResumeAsync();
        await FinishedJob(queue, later.JobId);

        Assert.Equal(["high", "low", "later"], order);
        var laterJob = (await operations.GetJobAsync(later.JobId))!;
        Assert.True(laterJob.ProcessedOn - laterJob.Timestamp >= 1500, $"the delayed job ran {laterJob.ProcessedOn - laterJob.Timestamp} ms after it was added");
        Assert.Equal(JobStates.Completed, await operations.GetStateAsync(low.JobId));
        Assert.Equal(JobStates.Completed, await operations.GetStateAsync(high.JobId));
    }

    [Fact]
    public async Task A_job_left_active_without_a_lock_is_recovered_and_run()
    {
        var queue = RedisServer.UniqueQueue("stalled");
        var keys = new QueueKeys(queue);
        var added = await Producer.AddAsync(queue, "orphan", new { });
        // What a dead worker leaves behind: the job in active, its lock expired.
        await Redis.Db.ListRightPopLeftPushAsync(keys.Wait, keys.Active);

        var log = new RecordingLogger();
        Workers.Start(queue, (_, _) => Task.FromResult<object?>("recovered"), logger: log);
        var job = await FinishedJob(queue, added.JobId);

        Assert.Equal("\"recovered\"", job.ReturnValueJson);
        Assert.Equal(1, job.StalledCounter);
        Assert.Contains(log.Messages, m => m.Contains($"job {added.JobId} stalled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_job_that_stalls_more_often_than_allowed_fails_instead_of_running_again()
    {
        var queue = RedisServer.UniqueQueue("stalled-too-often");
        var keys = new QueueKeys(queue);
        var added = await Producer.AddAsync(queue, "cursed", new { });
        await Redis.Db.ListRightPopLeftPushAsync(keys.Wait, keys.Active);
        await Redis.Db.HashSetAsync(keys.Job(added.JobId), "stc", 1);
        var ran = false;

        Workers.Start(queue, (_, _) =>
        {
            ran = true;
            return Task.FromResult<object?>(null);
        });
        var job = await FinishedJob(queue, added.JobId);

        Assert.False(ran);
        Assert.Equal("job stalled more than allowable limit", job.FailedReason);
    }

    [Fact]
    public async Task A_long_job_keeps_its_lock_by_renewing_it()
    {
        var queue = RedisServer.UniqueQueue("renew");
        var keys = new QueueKeys(queue);
        var added = await Producer.AddAsync(queue, "slow", new { });
        var lockDuration = TimeSpan.FromSeconds(4);
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        // The handler runs until the test releases it, so how long the job holds its lock is decided by what the test
        // saw, not by a fixed sleep. Renewal at half the lock (every 2 s) leaves a loaded machine 2 s to be late; stall
        // checks come less often than that, so only the lock's own half-life keeps it alive.
        var log = new RecordingLogger();
        Workers.Start(queue, async (_, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
            return "done";
        }, Workers.Fast with { LockDuration = lockDuration, StalledInterval = TimeSpan.FromSeconds(5) }, log);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var held = Stopwatch.StartNew();
        // The lock holds the worker's own token, so no other worker's finish or renewal can pass for its own.
        Assert.Matches("^[0-9a-f]{32}$", (string?)await Redis.Db.StringGetAsync(keys.Lock(added.JobId)));

        var renewals = 0;
        var lastTtl = lockDuration;
        var lockMissing = false;
        var seenAsStallCandidate = false;
        await Eventually.Until(
            async () =>
            {
                var ttl = await Redis.Db.KeyTimeToLiveAsync(keys.Lock(added.JobId));
                seenAsStallCandidate |= await Redis.Db.SetContainsAsync(keys.Stalled, added.JobId);
                if (ttl is null)
                {
                    lockMissing = true;
                }
                else
                {
                    // The TTL only ever grows when the worker sets the lock again.
                    renewals += ttl > lastTtl + TimeSpan.FromMilliseconds(100) ? 1 : 0;
                    lastTtl = ttl.Value;
                }

                return (renewals, held.Elapsed, seenAsStallCandidate, lockMissing);
            },
            // Done once the job outlived its lock one and a half times over and a stall check considered it.
            seen => seen.lockMissing || (seen.renewals >= 3 && seen.Elapsed >= 1.5 * lockDuration && seen.seenAsStallCandidate),
            TimeSpan.FromSeconds(30), "the lock to be renewed while the job outlives it and a stall check looks at it");
        release.SetResult();
        var job = await FinishedJob(queue, added.JobId);

        Assert.False(lockMissing, "the lock expired or was lost while the job was running");
        Assert.DoesNotContain(log.Messages, m => m.Contains("lost the lock", StringComparison.Ordinal));
        Assert.Equal("\"done\"", job.ReturnValueJson);
        Assert.Equal(0, job.StalledCounter);
        Assert.Equal(1, job.AttemptsStarted);
    }

    [Fact]
    public async Task A_graceful_stop_lets_the_running_job_finish_and_takes_no_new_one()
    {
        var queue = RedisServer.UniqueQueue("stop");
        var first = await Producer.AddAsync(queue, "first", new { });
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var handledByStopped = 0;
        var worker = Workers.Start(queue, async (_, _) =>
        {
            Interlocked.Increment(ref handledByStopped);
            started.TrySetResult();
            await release.Task;
            return "finished";
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // Waiting while the first runs: a worker that is not stopping takes it as it finishes the first.
        var queued = await Producer.AddAsync(queue, "queued", new { });

        // The stop is under way (it is marked before StopAsync first yields) when the running job is let go.
        var stopping = worker.StopAsync(TimeSpan.FromSeconds(10));
        release.SetResult();
        await stopping;
        var operations = Operations(queue);
        Assert.Equal(JobStates.Completed, await operations.GetStateAsync(first.JobId));
        Assert.Equal(JobStates.Waiting, await operations.GetStateAsync(queued.JobId));

        // Jobs added after the stop go to a second worker; had the stopped one kept taking jobs, it would have raced
        // the second for them.
        var later = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            later.Add((await Producer.AddAsync(queue, "later", new { i })).JobId);
        }

        var handledBySecond = new ConcurrentBag<string>();
        Workers.Start(queue, (job, _) =>
        {
            handledBySecond.Add(job.Id);
            return Task.FromResult<object?>(null);
        });
        await Eventually.Until(operations.GetJobCountsAsync, c => c[JobStates.Completed] == 12, what: "the later jobs to complete");

        Assert.Equal(1, Volatile.Read(ref handledByStopped));
        Assert.Equal(later.Append(queued.JobId).Order(), handledBySecond.Order());
        Assert.Equal(1, worker.Completed);
    }

    [Fact]
    public async Task A_handler_still_running_at_the_stop_deadline_is_cancelled_and_its_job_left_for_the_stall_check()
    {
        var queue = RedisServer.UniqueQueue("stop-deadline");
        var added = await Producer.AddAsync(queue, "endless", new { });
        var held = new HeldJob();
        var worker = Workers.Start(queue, held.Handle);
        await held.Started.WaitAsync(TimeSpan.FromSeconds(20));

        await worker.StopAsync(TimeSpan.FromMilliseconds(300));

        Assert.True(held.Cancelled.IsCompleted, "the handler was not cancelled at the deadline");
        // Not failed, not retried by the stopping worker: still active, for the stall check to give back once the lock expires.
        Assert.Equal(JobStates.Active, await Operations(queue).GetStateAsync(added.JobId));
        var job = (await Operations(queue).GetJobAsync(added.JobId))!;
        Assert.Equal(0, job.AttemptsMade);
        Assert.Null(job.FailedReason);
    }

    [Fact]
    public async Task A_lifo_job_that_fails_is_retried_before_the_jobs_waiting_behind_it()
    {
        var queue = RedisServer.UniqueQueue("lifo-retry");
        var operations = Operations(queue);
        await operations.PauseAsync();
        var urgent = await Producer.AddAsync(queue, "urgent", new { }, new JobOptions { Attempts = 2, Lifo = true });
        await Producer.AddAsync(queue, "a", new { });
        await Producer.AddAsync(queue, "b", new { });
        var order = new ConcurrentQueue<string>();
        Workers.Start(queue, (job, _) =>
        {
            order.Enqueue(job.Name);
            return order.Count == 1 ? throw new InvalidOperationException("first try") : Task.FromResult<object?>(null);
        });

        await operations.ResumeAsync();
        await Eventually.Until(operations.GetJobCountsAsync, c => c[JobStates.Completed] == 3, what: "all three completed");

        Assert.Equal(["urgent", "urgent", "a", "b"], order);
        Assert.Equal(2, (await operations.GetJobAsync(urgent.JobId))!.AttemptsMade);
    }

    [Fact]
    public async Task Remove_on_fail_removes_a_failed_job_entirely()
    {
        var queue = RedisServer.UniqueQueue("remove-failed");
        var added = await Producer.AddAsync(queue, "doomed", new { }, new JobOptions { RemoveOnFail = KeepJobs.None });
        var marker = await Producer.AddAsync(queue, "marker", new { });

        Workers.Start(queue, (job, _) => job.Name == "doomed" ? throw new InvalidOperationException("no") : Task.FromResult<object?>(null));
        await FinishedJob(queue, marker.JobId);

        Assert.False(await Redis.Db.KeyExistsAsync(new QueueKeys(queue).Job(added.JobId)));
        Assert.Equal(0, await Redis.Db.SortedSetLengthAsync(new QueueKeys(queue).Failed));
    }

    [Fact]
    public async Task Remove_on_complete_keeps_only_the_configured_number_of_finished_jobs()
    {
        var queue = RedisServer.UniqueQueue("keep");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Producer.AddAsync(queue, "e", new { i }, new JobOptions { RemoveOnComplete = KeepJobs.Last(2) })).JobId);
        }

        var done = 0;
        Workers.Start(queue, (_, _) =>
        {
            Interlocked.Increment(ref done);
            return Task.FromResult<object?>(null);
        });
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref done)), n => n == 5, what: "5 handled");
        var completed = await Eventually.Until(
            async () => (await Redis.Db.SortedSetRangeByRankAsync(new QueueKeys(queue).Completed)).Select(v => (string)v!).ToList(),
            c => c.Count == 2 && !c.Except(ids.TakeLast(2)).Any(), what: "two most recent completed");

        Assert.Equal(ids.TakeLast(2), completed);
        Assert.False(await Redis.Db.KeyExistsAsync(new QueueKeys(queue).Job(ids[0])));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
