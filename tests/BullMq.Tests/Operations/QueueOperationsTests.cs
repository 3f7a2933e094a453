using BullMq.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BullMq.Tests.Operations;

[Collection(RedisCollection.Name)]
public sealed class QueueOperationsTests(RedisServer redis) : QueueTest(redis)
{

    [Fact]
    public async Task Pause_sets_meta_paused_and_stopsWorkers_until_resume()
    {
        var queue = RedisServer.UniqueQueue("pause");
        var operations = Operations(queue);
        await operations.PauseAsync();
        var handled = 0;
        Workers.Start(queue, (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return Task.FromResult<object?>(null);
        });

        await new QueueProducer(Connection).AddAsync(queue, "e", new { });
        await Task.Delay(700);

        Assert.True(await operations.IsPausedAsync());
        Assert.Equal("1", (string?)await Redis.Db.HashGetAsync(operations.Keys.Meta, "paused"));
        Assert.Equal(0, Volatile.Read(ref handled));

        await operations.ResumeAsync();
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref handled)), n => n == 1, what: "the job after resume");
        Assert.False(await operations.IsPausedAsync());
    }

    [Fact]
    public async Task Job_counts_cover_every_state()
    {
        var queue = RedisServer.UniqueQueue("counts");
        var producer = new QueueProducer(Connection);
        await producer.AddAsync(queue, "w", new { });
        await producer.AddAsync(queue, "w", new { });
        await producer.AddAsync(queue, "d", new { }, new JobOptions { Delay = 60_000 });
        await producer.AddAsync(queue, "p", new { }, new JobOptions { Priority = 4 });

        var counts = await Operations(queue).GetJobCountsAsync();

        Assert.Equal(2, counts[JobStates.Waiting]);
        Assert.Equal(1, counts[JobStates.Delayed]);
        Assert.Equal(1, counts[JobStates.Prioritized]);
        Assert.Equal(0, counts[JobStates.Active]);
        Assert.Equal(JobStates.Counted.Order(), counts.Keys.Order());
    }

    [Fact]
    public async Task Oldest_waiting_age_is_measured_from_when_the_oldest_ready_job_was_added()
    {
        var queue = RedisServer.UniqueQueue("age");
        var added = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
        await new QueueProducer(Connection, new FixedTime(added)).AddAsync(queue, "e", new { });
        await new QueueProducer(Connection, new FixedTime(added.AddSeconds(30))).AddAsync(queue, "e", new { });

        var age = await new QueueOperations(Connection, queue, new FixedTime(added.AddSeconds(90))).OldestWaitingAgeAsync();

        Assert.Equal(TimeSpan.FromSeconds(90), age);
    }

    [Fact]
    public async Task Health_is_degraded_when_paused_or_backlogged_and_unhealthy_when_redis_is_gone()
    {
        var queue = RedisServer.UniqueQueue("health");
        var check = new QueueHealthCheck(Connection, queue, backlogThreshold: 1);
        var context = new HealthCheckContext();

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);
        await new QueueProducer(Connection).AddAsync(queue, "e", new { });
        await new QueueProducer(Connection).AddAsync(queue, "e", new { });
        Assert.Equal(HealthStatus.Degraded, (await check.CheckHealthAsync(context)).Status);
        await Operations(queue).PauseAsync();
        var paused = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Degraded, paused.Status);
        Assert.Contains("paused", paused.Description, StringComparison.Ordinal);

        await using var nowhere = QueueConnection.Create("127.0.0.1:1,connectTimeout=300");
        var unreachable = await new QueueHealthCheck(nowhere, queue, 1).CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Unhealthy, unreachable.Status);
    }
}
