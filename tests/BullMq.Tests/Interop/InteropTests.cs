using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using BullMq.Tests.Infrastructure;

namespace BullMq.Tests.Interop;

/// <summary>This client and the real BullMQ (npm, pinned) on one Redis must see the same truth.</summary>
[Collection(RedisCollection.Name)]
public sealed class InteropTests(RedisServer redis) : QueueTest(redis)
{
    private readonly BullMqNode _bullmq = new(redis);

    private async Task<JsonNode> BullMqJob(string queue, string id) => await _bullmq.RunAsync("job", new { queue, id });

    [Fact]
    public async Task Jobs_added_from_csharp_are_processed_by_a_bullmq_worker_with_bullmq_semantics()
    {
        var queue = RedisServer.UniqueQueue("cs-to-bull");
        var plain = await Producer.AddAsync(queue, "plain", new { n = 1 });
        var delayed = await Producer.AddAsync(queue, "delayed", new { n = 2 }, new JobOptions { Delay = 300 });
        var prioritized = await Producer.AddAsync(queue, "prioritized", new { n = 3 }, new JobOptions { Priority = 2 });
        var flaky = await Producer.AddAsync(queue, "flaky", new { fail = 2 }, new JobOptions { Attempts = 3, Backoff = Backoff.Exponential(100) });
        var doomed = await Producer.AddAsync(queue, "doomed", new { fail = 5 }, new JobOptions { Attempts = 2, Backoff = Backoff.Fixed(50) });

        var run = await _bullmq.RunAsync("work", new { queue, expect = 5, timeoutMs = 20_000 });

        Assert.Equal(5, run["finished"]!.GetValue<int>());
        foreach (var id in new[] { plain.JobId, delayed.JobId, prioritized.JobId })
        {
            var job = await BullMqJob(queue, id);
            Assert.Equal("completed", job["state"]!.GetValue<string>());
            Assert.Equal("bullmq", job["returnvalue"]!["by"]!.GetValue<string>());
            Assert.Equal(1, job["attemptsMade"]!.GetValue<int>());
        }

        var flakyJob = await BullMqJob(queue, flaky.JobId);
        Assert.Equal("completed", flakyJob["state"]!.GetValue<string>());
        Assert.Equal(3, flakyJob["attemptsMade"]!.GetValue<int>());
        var flakyStarts = run["seen"]!.AsArray().Where(s => s!["id"]!.GetValue<string>() == flaky.JobId)
            .Select(s => s!["at"]!.GetValue<long>()).ToList();
        Assert.Equal(3, flakyStarts.Count);
        // Exponential backoff of 100 ms: at least 100 ms before the 2nd attempt and 200 ms before the 3rd.
        Assert.True(flakyStarts[1] - flakyStarts[0] >= 100, $"second attempt after {flakyStarts[1] - flakyStarts[0]} ms");
        Assert.True(flakyStarts[2] - flakyStarts[1] >= 200, $"third attempt after {flakyStarts[2] - flakyStarts[1]} ms");

        var doomedJob = await BullMqJob(queue, doomed.JobId);
        Assert.Equal("failed", doomedJob["state"]!.GetValue<string>());
        Assert.Equal(2, doomedJob["attemptsMade"]!.GetValue<int>());
        Assert.Equal("planned failure 2", doomedJob["failedReason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Jobs_added_by_a_bullmq_queue_are_processed_by_the_csharp_worker_and_bullmq_agrees()
    {
        var queue = RedisServer.UniqueQueue("bull-to-cs");
        var added = await _bullmq.RunAsync("add", new
        {
            queue,
            jobs = new object[]
            {
                new { name = "plain", data = new { n = 1 } },
                new { name = "delayed", data = new { n = 2 }, opts = new { delay = 300 } },
                new { name = "prioritized", data = new { n = 3 }, opts = new { priority = 1 } },
                new { name = "flaky", data = new { fail = 1 }, opts = new { attempts = 2, backoff = new { type = "fixed", delay = 100 } } },
                new { name = "doomed", data = new { fail = 9 }, opts = new { attempts = 2 } },
            },
        });
        var ids = added["ids"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
        var attempts = new ConcurrentDictionary<string, int>();

        Workers.Start(queue, (job, _) =>
        {
            var attempt = attempts.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
            var data = job.ParseData();
            if (data.TryGetProperty("fail", out var fail) && attempt <= fail.GetInt32())
            {
                throw new InvalidOperationException($"csharp failure {attempt}");
            }

            return Task.FromResult<object?>(new { echo = job.Name, by = "csharp" });
        });
        var operations = Operations(queue);
        var ours = await Eventually.Until(operations.GetJobCountsAsync,
            c => c[JobStates.Completed] == 4 && c[JobStates.Failed] == 1, what: "4 completed and 1 failed");

        var theirs = await _bullmq.RunAsync("counts", new { queue });
        foreach (var state in JobStates.Counted)
        {
            Assert.Equal(ours[state], theirs[state]!.GetValue<long>());
        }

        for (var i = 0; i < 4; i++)
        {
            var job = await BullMqJob(queue, ids[i]);
            Assert.Equal("completed", job["state"]!.GetValue<string>());
            Assert.Equal("csharp", job["returnvalue"]!["by"]!.GetValue<string>());
        }

        Assert.Equal(2, (await BullMqJob(queue, ids[3]))["attemptsMade"]!.GetValue<int>());
        var doomed = await BullMqJob(queue, ids[4]);
        Assert.Equal("failed", doomed["state"]!.GetValue<string>());
        Assert.Equal("csharp failure 2", doomed["failedReason"]!.GetValue<string>());
        Assert.Equal(2, doomed["stacktrace"]!.AsArray().Count);
    }

    [Fact]
    public async Task Pause_and_resume_work_in_both_directions()
    {
        var queue = RedisServer.UniqueQueue("pause-both");
        var operations = Operations(queue);

        // Paused from C#: BullMQ sees it and its worker takes nothing. A worker's fetch promotes due delayed jobs even
        // while paused, in the same step that would take the waiting one: once the marker is waiting, the worker has
        // looked at the queue after the job arrived.
        await operations.PauseAsync();
        Assert.True((await _bullmq.RunAsync("isPaused", new { queue }))["paused"]!.GetValue<bool>());
        var held = await Producer.AddAsync(queue, "held", new { });
        var marker = await Producer.AddAsync(queue, "marker", new { }, new JobOptions { Delay = 1 });
        var idle = await _bullmq.RunAsync("work", new { queue, expect = 1, timeoutMs = 20_000, stopWhenWaiting = marker.JobId });
        Assert.False(idle["timedOut"]!.GetValue<bool>(), "the BullMQ worker never promoted the marker");
        Assert.Equal(0, idle["finished"]!.GetValue<int>());
        Assert.Empty(idle["seen"]!.AsArray());
        Assert.Equal(JobStates.Waiting, await operations.GetStateAsync(held.JobId));

        // Resumed from BullMQ: the C# worker takes both jobs.
        var handled = 0;
        Workers.Start(queue, (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return Task.FromResult<object?>(null);
        });
        await _bullmq.RunAsync("resume", new { queue });
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref handled)), n => n == 2, what: "C# worker after BullMQ resume");

        // Paused from BullMQ: the C# worker stops taking jobs, shown the same way.
        await _bullmq.RunAsync("pause", new { queue });
        Assert.True(await operations.IsPausedAsync());
        var heldAgain = await Producer.AddAsync(queue, "held-again", new { });
        var secondMarker = await Producer.AddAsync(queue, "marker", new { }, new JobOptions { Delay = 1 });
        await Eventually.Until(() => operations.GetStateAsync(secondMarker.JobId), state => state == JobStates.Waiting,
            what: "the C# worker to promote the marker");
        Assert.Equal(2, Volatile.Read(ref handled));
        Assert.Equal(JobStates.Waiting, await operations.GetStateAsync(heldAgain.JobId));

        // Resumed from C#: work goes on.
        await operations.ResumeAsync();
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref handled)), n => n == 4, what: "C# worker after C# resume");
    }

    [Fact]
    public async Task Csharp_and_bullmqWorkers_on_one_queue_process_every_job_exactly_once()
    {
        var queue = RedisServer.UniqueQueue("shared");
        const int jobs = 300;
        var byCsharp = new ConcurrentDictionary<string, int>();
        // Jobs take 20 ms and each side runs 2 at once, so neither side can finish them all before the other starts.
        var bullmqRun = _bullmq.RunAsync("work", new { queue, expect = jobs, queueCompleted = jobs, timeoutMs = 30_000, concurrency = 2 }, TimeSpan.FromSeconds(60));
        Workers.Start(queue, async (job, _) =>
        {
            byCsharp.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
            await Task.Delay(20, CancellationToken.None);
            return new { by = "csharp" };
        }, Workers.Fast with { Concurrency = 2 });

        var ids = new List<string>();
        for (var i = 0; i < jobs; i++)
        {
            ids.Add((await Producer.AddAsync(queue, "e", new { i, sleepMs = 20 })).JobId);
        }

        var operations = Operations(queue);
        await Eventually.Until(operations.GetJobCountsAsync, c => c[JobStates.Completed] == jobs, TimeSpan.FromSeconds(60), "all completed");
        var bullmq = await bullmqRun;

        var byBullmq = bullmq["seen"]!.AsArray().GroupBy(s => s!["id"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
        foreach (var id in ids)
        {
            Assert.Equal(1, byCsharp.GetValueOrDefault(id) + byBullmq.GetValueOrDefault(id));
        }

        Assert.NotEmpty(byCsharp);
        Assert.NotEmpty(byBullmq);
    }
}
