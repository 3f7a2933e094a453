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

        var held = await new QueueProducer(Connection).AddAsync(queue, "e", new { });
        // The worker's fetch promotes due delayed jobs in the same step that would take the waiting one, even while
        // paused: once this marker is waiting, the worker has looked at the queue since the job arrived.
        var marker = await new QueueProducer(Connection).AddAsync(queue, "marker", new { }, new JobOptions { Delay = 1 });
        await Eventually.Until(() => operations.GetStateAsync(marker.JobId), state => state == JobStates.Waiting, what: "the marker promoted");

        Assert.True(await operations.IsPausedAsync());
        Assert.Equal("1", (string?)await Redis.Db.HashGetAsync(operations.Keys.Meta, "paused"));
        Assert.Equal(0, Volatile.Read(ref handled));
        Assert.Equal(JobStates.Waiting, await operations.GetStateAsync(held.JobId));

        await operations.ResumeAsync();
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref handled)), n => n == 2, what: "both jobs after resume");
        Assert.False(await operations.IsPausedAsync());
    }

    [Fact]
    public async Task Job_counts_cover_every_state()
    {
        var queue = RedisServer.UniqueQueue("counts");
        var keys = new QueueKeys(queue);
        var producer = new QueueProducer(Connection);
        await producer.AddAsync(queue, "w", new { });
        await producer.AddAsync(queue, "w", new { });
        await producer.AddAsync(queue, "d", new { }, new JobOptions { Delay = 60_000 });
        await producer.AddAsync(queue, "d", new { }, new JobOptions { Delay = 60_000 });
        await producer.AddAsync(queue, "d", new { }, new JobOptions { Delay = 60_000 });
        await producer.AddAsync(queue, "p", new { }, new JobOptions { Priority = 4 });
        // The states no producer reaches, written as workers and flows leave them; every state gets its own number
        // so a count read from the wrong key shows.
        await Redis.Db.ListLeftPushAsync(keys.Active, ["a1", "a2", "a3", "a4"]);
        await Redis.Db.SortedSetAddAsync(keys.Completed, [new("c1", 1), new("c2", 2), new("c3", 3), new("c4", 4), new("c5", 5)]);
        await Redis.Db.SortedSetAddAsync(keys.Failed, [new("f1", 1), new("f2", 2), new("f3", 3), new("f4", 4), new("f5", 5), new("f6", 6)]);
        await Redis.Db.SortedSetAddAsync(keys.WaitingChildren, [new("wc1", 1), new("wc2", 2), new("wc3", 3), new("wc4", 4), new("wc5", 5), new("wc6", 6), new("wc7", 7)]);

        var counts = await Operations(queue).GetJobCountsAsync();

        Assert.Equal(
            new Dictionary<string, long>
            {
                [JobStates.Prioritized] = 1,
                [JobStates.Waiting] = 2,
                [JobStates.Delayed] = 3,
                [JobStates.Active] = 4,
                [JobStates.Completed] = 5,
                [JobStates.Failed] = 6,
                [JobStates.WaitingChildren] = 7,
            },
            counts);
        Assert.Equal(JobStates.Counted.Order(), counts.Keys.Order());
    }

    [Fact]
    public async Task Oldest_waiting_age_is_measured_from_when_the_oldest_ready_job_was_added()
    {
        var queue = RedisServer.UniqueQueue("age");
        var added = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
        var now = new QueueOperations(Connection, queue, new FixedTime(added.AddSeconds(90)));
        Assert.Equal(TimeSpan.Zero, await now.OldestWaitingAgeAsync());

        // The oldest ready job may be in either place workers take from: the wait list's tail or the prioritized head.
        await new QueueProducer(Connection, new FixedTime(added.AddSeconds(30))).AddAsync(queue, "e", new { });
        await new QueueProducer(Connection, new FixedTime(added.AddSeconds(60))).AddAsync(queue, "e", new { });
        Assert.Equal(TimeSpan.FromSeconds(60), await now.OldestWaitingAgeAsync());
        await new QueueProducer(Connection, new FixedTime(added)).AddAsync(queue, "p", new { }, new JobOptions { Priority = 1 });
        Assert.Equal(TimeSpan.FromSeconds(90), await now.OldestWaitingAgeAsync());
        // A clock behind the producer's reads no age rather than a negative one.
        Assert.Equal(TimeSpan.Zero, await new QueueOperations(Connection, queue, new FixedTime(added.AddSeconds(-5))).OldestWaitingAgeAsync());
    }

    [Fact]
    public async Task Job_ids_are_listed_as_bullmq_lists_them_oldest_waiting_first()
    {
        var queue = RedisServer.UniqueQueue("ids");
        var operations = Operations(queue);
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await Producer.AddAsync(queue, "e", new { i })).JobId);
        }

        Assert.Equal(ids, await operations.GetWaitingJobIdsAsync());
        Assert.Equal(ids.Take(2), await operations.GetWaitingJobIdsAsync(max: 2));
        Assert.Empty(await operations.GetActiveJobIdsAsync());

        // What a worker's fetch does: the oldest moves from the wait list's tail to active.
        await Redis.Db.ListRightPopLeftPushAsync(operations.Keys.Wait, operations.Keys.Active);
        Assert.Equal([ids[0]], await operations.GetActiveJobIdsAsync());
        Assert.Equal(ids.Skip(1), await operations.GetWaitingJobIdsAsync());
    }

    [Fact]
    public async Task A_jobs_state_is_named_as_bullmq_names_it_in_every_state()
    {
        var queue = RedisServer.UniqueQueue("states");
        var operations = Operations(queue);
        var keys = operations.Keys;
        var waiting = await Producer.AddAsync(queue, "w", new { });
        var delayed = await Producer.AddAsync(queue, "d", new { }, new JobOptions { Delay = 60_000 });
        var prioritized = await Producer.AddAsync(queue, "p", new { }, new JobOptions { Priority = 2 });
        await Redis.Db.ListLeftPushAsync(keys.Active, "held");
        await Redis.Db.SortedSetAddAsync(keys.Completed, "done", 1);
        await Redis.Db.SortedSetAddAsync(keys.Failed, "broken", 1);
        await Redis.Db.SortedSetAddAsync(keys.WaitingChildren, "parent", 1);

        Assert.Equal(JobStates.Waiting, await operations.GetStateAsync(waiting.JobId));
        Assert.Equal(JobStates.Delayed, await operations.GetStateAsync(delayed.JobId));
        Assert.Equal(JobStates.Prioritized, await operations.GetStateAsync(prioritized.JobId));
        Assert.Equal(JobStates.Active, await operations.GetStateAsync("held"));
        Assert.Equal(JobStates.Completed, await operations.GetStateAsync("done"));
        Assert.Equal(JobStates.Failed, await operations.GetStateAsync("broken"));
        Assert.Equal(JobStates.WaitingChildren, await operations.GetStateAsync("parent"));
        Assert.Equal(JobStates.Unknown, await operations.GetStateAsync("nobody"));
        Assert.Null(await operations.GetJobAsync("nobody"));
        Assert.Equal("w", (await operations.GetJobAsync(waiting.JobId))!.Name);
    }

    [Fact]
    public async Task Operations_on_an_unreachable_redis_fail_with_a_clear_error()
    {
        await using var nowhere = QueueConnection.Create("127.0.0.1:1,connectTimeout=300");
        var operations = new QueueOperations(nowhere, "orphan");

        var error = await Assert.ThrowsAsync<QueueUnavailableException>(operations.GetJobCountsAsync);

        Assert.StartsWith("Redis is unreachable; queue 'orphan' could not be read or changed", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<QueueUnavailableException>(operations.PauseAsync);
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
