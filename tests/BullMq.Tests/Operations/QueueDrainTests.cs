using System.Text.Json;
using BullMq.Tests.Infrastructure;

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
        var file = Path.Combine(_exportDirectory, "left.jsonl");

        var report = await new QueueDrain(Connection).DrainAsync(queue, TimeSpan.FromMilliseconds(500), file);

        Assert.False(report.Emptied);
        Assert.Equal(3, report.Exported);
        Assert.Equal(3, report.Removed);
        Assert.Equal(0, report.Processed);
        var lines = (await File.ReadAllLinesAsync(file)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            [(waiting.JobId, "waiting"), (prioritized.JobId, "prioritized"), (delayed.JobId, "delayed")],
            lines.Select(l => (l.GetProperty("id").GetString()!, l.GetProperty("state").GetString()!)));
        Assert.Equal(2, lines[2].GetProperty("data").GetProperty("n").GetInt32());
        Assert.All(lines, l => Assert.Equal(queue, l.GetProperty("queue").GetString()));
        var counts = await Operations(queue).GetJobCountsAsync();
        Assert.All(counts.Values, count => Assert.Equal(0, count));
        Assert.False(await Redis.Db.KeyExistsAsync(new QueueKeys(queue).Job(waiting.JobId)));
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
        var drain = new QueueDrain(Connection);

        var draining = drain.DrainAsync(queue, TimeSpan.FromSeconds(10), Path.Combine(_exportDirectory, "none.jsonl"));
        await Eventually.Until(() => drain.IsDrainingAsync(queue), d => d, what: "drain to start");
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
}
