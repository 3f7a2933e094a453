using System.Text.Json;
using BullMq.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace BullMq.Tests.Operations;

[Collection(RedisCollection.Name)]
public sealed class QueueDrainTests(RedisServer redis) : QueueTest(redis)
{
    private readonly string _exportDirectory = Path.Combine(Path.GetTempPath(), $"bullmq-drain-{Guid.NewGuid():N}");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_exportDirectory))
        {
            Directory.Delete(_exportDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task With_no_worker_everything_left_is_exported_before_it_is_removed()
    {
        var queue = RedisServer.UniqueQueue("drain-export");
        var producer = new QueueProducer(Connection);
        var waiting = await producer.AddAsync(queue, "w", new { n = 1 });
        var delayed = await producer.AddAsync(queue, "d", new { n = 2 }, new JobOptions { Delay = 600_000 });
        var prioritized = await producer.AddAsync(queue, "p", new { n = 3 }, new JobOptions { Priority = 2 });
        // A job that failed for good, written as a worker leaves it, with data that is not JSON.
        var keys = new QueueKeys(queue);
        await Redis.Db.HashSetAsync(keys.Job("gave-up"),
            [new("name", "f"), new("data", "{oops"), new("opts", "{}"), new("timestamp", 1234), new("atm", 2), new("failedReason", "disk on fire")]);
        await Redis.Db.SortedSetAddAsync(keys.Failed, "gave-up", 1);
        var file = Path.Combine(_exportDirectory, "left.jsonl");

        var report = await new QueueDrain(Connection).DrainAsync(queue, TimeSpan.FromMilliseconds(500), file);

        Assert.Equal(new DrainReport(queue, 0, 4, 4, 0, false, Path.GetFullPath(file), report.Took), report);
        var lines = (await File.ReadAllLinesAsync(file)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            [(waiting.JobId, "waiting"), (prioritized.JobId, "prioritized"), (delayed.JobId, "delayed"), ("gave-up", "failed")],
            lines.Select(l => (l.GetProperty("id").GetString()!, l.GetProperty("state").GetString()!)));
        Assert.Equal(2, lines[2].GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal("d", lines[2].GetProperty("name").GetString());
        Assert.Equal(600_000, lines[2].GetProperty("opts").GetProperty("delay").GetInt64());
        Assert.Equal(0, lines[2].GetProperty("attemptsMade").GetInt32());
        Assert.Equal(
            """{"queue":"QUEUE","id":"gave-up","state":"failed","name":"f","data":"{oops","opts":{},"timestamp":1234,"attemptsMade":2,"failedReason":"disk on fire"}""".Replace("QUEUE", queue, StringComparison.Ordinal),
            (await File.ReadAllLinesAsync(file))[3]);
        Assert.All(lines, l => Assert.Equal(queue, l.GetProperty("queue").GetString()));
        var counts = await Operations(queue).GetJobCountsAsync();
        Assert.All(counts.Values, count => Assert.Equal(0, count));
        Assert.False(await Redis.Db.KeyExistsAsync(keys.Job(waiting.JobId)));
        Assert.False(await Redis.Db.KeyExistsAsync(keys.Job("gave-up")));
        Assert.False(await Operations(queue).IsPausedAsync());
        Assert.False(await new QueueDrain(Connection).IsDrainingAsync(queue));
    }

    [Fact]
    public async Task A_drain_that_reaches_its_deadline_with_a_job_active_leaves_that_job_to_its_worker()
    {
        var queue = RedisServer.UniqueQueue("drain-active");
        var busy = await Producer.AddAsync(queue, "busy", new { });
        var behind = await Producer.AddAsync(queue, "behind", new { });
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        Workers.Start(queue, async (job, _) =>
        {
            if (job.Id == busy.JobId)
            {
                started.TrySetResult();
                await release.Task;
            }

            return null;
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var file = Path.Combine(_exportDirectory, "active.jsonl");

        var report = await new QueueDrain(Connection).DrainAsync(queue, TimeSpan.FromMilliseconds(300), file);

        // The job behind the busy one is exported and removed; the busy one is neither, and still its worker's.
        Assert.False(report.Emptied);
        Assert.Equal(1, report.StillActive);
        Assert.Equal(1, report.Exported);
        Assert.Equal(1, report.Removed);
        Assert.Equal(0, report.Processed);
        Assert.Equal([behind.JobId], (await File.ReadAllLinesAsync(file)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()));
        Assert.Equal(JobStates.Active, await Operations(queue).GetStateAsync(busy.JobId));
        Assert.Equal(JobStates.Unknown, await Operations(queue).GetStateAsync(behind.JobId));

        release.SetResult();
        await Eventually.Until(() => Operations(queue).GetStateAsync(busy.JobId), state => state == JobStates.Completed, what: "the busy job to complete");
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task A_drain_without_an_export_file_is_refused_before_it_starts(string exportFile)
    {
        var queue = RedisServer.UniqueQueue("drain-nofile");
        await Producer.AddAsync(queue, "w", new { });

        await Assert.ThrowsAsync<ArgumentException>(() => new QueueDrain(Connection).DrainAsync(queue, TimeSpan.FromSeconds(1), exportFile));

        Assert.False(await new QueueDrain(Connection).IsDrainingAsync(queue));
        Assert.Equal(1, (await Operations(queue).GetJobCountsAsync())[JobStates.Waiting]);
    }

    [Fact]
    public async Task A_drain_of_a_paused_queue_leaves_it_paused()
    {
        var queue = RedisServer.UniqueQueue("drain-paused");
        var waiting = await Producer.AddAsync(queue, "w", new { });
        await Operations(queue).PauseAsync();
        // An export file that already holds an earlier drain's line is appended to, never overwritten.
        var file = Path.Combine(_exportDirectory, "paused.jsonl");
        Directory.CreateDirectory(_exportDirectory);
        await File.WriteAllTextAsync(file, "{\"earlier\":true}\n");

        var report = await new QueueDrain(Connection).DrainAsync(queue, TimeSpan.FromMilliseconds(200), file);

        Assert.Equal(1, report.Exported);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal("{\"earlier\":true}", lines[0]);
        Assert.Equal(waiting.JobId, JsonDocument.Parse(lines[1]).RootElement.GetProperty("id").GetString());
        Assert.Equal(2, lines.Length);
        Assert.True(await Operations(queue).IsPausedAsync());
        Assert.False(await new QueueDrain(Connection).IsDrainingAsync(queue));
    }

    [Fact]
    public async Task A_queue_left_paused_by_a_drainer_that_died_is_resumed_by_the_next_drain()
    {
        var queue = RedisServer.UniqueQueue("drain-dead-pauser");
        await Producer.AddAsync(queue, "w", new { });
        // What a drainer killed between its pause and its end leaves: the queue paused, by the drain.
        await Operations(queue).PauseAsync();
        await Redis.Db.HashSetAsync(new QueueKeys(queue).Meta, "sandbox:drain-paused", 1);

        var report = await new QueueDrain(Connection).DrainAsync(queue, TimeSpan.Zero, Path.Combine(_exportDirectory, "dead-pauser.jsonl"));

        Assert.Equal(1, report.Exported);
        Assert.False(await Operations(queue).IsPausedAsync());
        Assert.False(await Redis.Db.HashExistsAsync(new QueueKeys(queue).Meta, "sandbox:drain-paused"));
    }

    [Fact]
    public async Task While_draining_producers_are_refused_and_afterwards_accepted_again()
    {
        var queue = RedisServer.UniqueQueue("drain-refuse");
        var producer = new QueueProducer(Connection);
        await producer.AddAsync(queue, "slow", new { });
        var started = new TaskCompletionSource();
        // The job stays active, so the drain keeps waiting, until the test has tried to add during it.
        var release = new TaskCompletionSource();
        Workers.Start(queue, async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return null;
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // The drain's first timer is its lease's renewal, started once it counted what was pending.
        var time = new TimerWatchingTime();
        var drain = new QueueDrain(Connection, time);

        var draining = drain.DrainAsync(queue, TimeSpan.FromSeconds(10), Path.Combine(_exportDirectory, "none.jsonl"));
        await time.FirstTimer.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(await drain.IsDrainingAsync(queue));
        var refused = await Assert.ThrowsAsync<QueueDrainingException>(() => producer.AddAsync(queue, "late", new { }));
        Assert.False(draining.IsCompleted, "the drain ended while a job was still active");
        release.SetResult();
        var report = await draining;

        Assert.Equal(queue, refused.Queue);
        Assert.True(report.Emptied);
        Assert.Equal(1, report.Processed);
        Assert.Equal(0, report.Exported);
        Assert.Null(report.ExportFile);
        Assert.True((await producer.AddAsync(queue, "after", new { })).Created);
        Assert.False(await Operations(queue).IsPausedAsync());
    }

    [Fact]
    public async Task A_drain_renews_its_lease_while_it_runs_and_a_lease_left_by_a_drainer_that_died_refuses_nothing_once_passed()
    {
        var queue = RedisServer.UniqueQueue("drain-lease");
        var keys = new QueueKeys(queue);
        await new QueueProducer(Connection).AddAsync(queue, "waits", new { });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var drain = new QueueDrain(Connection, time);

        // No worker: the drain waits for its whole deadline, twice the lease, while the clock moves a second at a time.
        var draining = drain.DrainAsync(queue, QueueDrain.Lease * 2, Path.Combine(_exportDirectory, "lease.jsonl"));
        for (var second = 0; second < QueueDrain.Lease.TotalSeconds * 1.5; second++)
        {
            await Task.Delay(10);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(await drain.IsDrainingAsync(queue), "the lease passed while its drain still ran");
        Assert.False(draining.IsCompleted);
        while (!draining.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(draining, Task.Delay(10));
        }

        Assert.Equal(1, (await draining).Exported);
        Assert.False(await Redis.Db.HashExistsAsync(keys.Meta, "sandbox:draining"));

        // What a drainer killed mid-drain leaves: its last lease. Once that has passed, jobs are taken again.
        await Redis.Db.HashSetAsync(keys.Meta, "sandbox:draining", DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds());
        Assert.False(await new QueueDrain(Connection).IsDrainingAsync(queue));
        await new QueueProducer(Connection).AddAsync(queue, "after a dead drainer", new { });
        await Redis.Db.HashSetAsync(keys.Meta, "sandbox:draining", DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds());
        Assert.True(await new QueueDrain(Connection).IsDrainingAsync(queue));
        await Assert.ThrowsAsync<QueueDrainingException>(() => new QueueProducer(Connection).AddAsync(queue, "during a live lease", new { }));
    }
}
