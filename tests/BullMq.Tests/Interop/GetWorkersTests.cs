using System.Text.Json.Nodes;
using BullMq.Tests.Infrastructure;

namespace BullMq.Tests.Interop;

/// <summary>
/// BullMQ's <c>Queue.getWorkers()</c>, which bull-board shows, finds workers by their Redis connection names: each C#
/// worker must be listed exactly once on its own queue, idle or busy, and must leave the list when it stops.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class GetWorkersTests(RedisServer redis) : QueueTest(redis)
{
    private readonly BullMqNode _bullmq = new(redis);

    private async Task<List<JsonNode>> BullMqWorkers(string queue) =>
        (await _bullmq.RunAsync("workers", new { queue }))["workers"]!.AsArray().Select(w => w!).ToList();

    [Fact]
    public async Task Bullmq_lists_each_csharp_worker_once_on_its_queue_until_it_stops()
    {
        var queue = RedisServer.UniqueQueue("listed");
        var other = RedisServer.UniqueQueue("listed-other");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Whichever worker takes the job holds it, so one of the two is listed while busy and the other while idle.
        Func<Job, CancellationToken, Task<object?>> hold = async (_, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
            return null;
        };
        var named = Workers.Start(queue, hold, Workers.Fast with { Name = "metastore" });
        var unnamed = Workers.Start(queue, hold);
        Workers.Start(other, (_, _) => Task.FromResult<object?>(null));
        await Producer.AddAsync(queue, "held", new { });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var keys = new QueueKeys(queue);
        var listed = await Eventually.Until(() => BullMqWorkers(queue), w => w.Count >= 2, what: "BullMQ to list both workers");
        // One client per worker (a multiplexer's subscription connection would be a second one with the same name).
        Assert.Equal(2, listed.Count);
        Assert.Equal(
            [keys.ClientName, $"{keys.ClientName}:w:metastore"],
            listed.Select(w => w["rawname"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(2, listed.Select(w => w["addr"]!.GetValue<string>()).Distinct().Count());
        Assert.Single(await BullMqWorkers(other));
        // The C# count, by the same rule, over a connection without admin rights (as the runbook's).
        Assert.Equal(2, await Operations(queue).GetWorkerCountAsync());

        release.SetResult();
        await named.StopAsync(TimeSpan.FromSeconds(10));
        var left = await Eventually.Until(() => BullMqWorkers(queue), w => w.Count == 1, what: "the stopped worker to leave the list");
        Assert.Equal(keys.ClientName, left[0]["rawname"]!.GetValue<string>());

        await unnamed.StopAsync(TimeSpan.FromSeconds(10));
        await Eventually.Until(() => BullMqWorkers(queue), w => w.Count == 0, what: "no worker listed after both stopped");
        Assert.Equal(0, await Operations(queue).GetWorkerCountAsync());
    }

    [Fact]
    public async Task The_connection_names_follow_bullmqs_rule()
    {
        // <prefix>:<base64 of the UTF-8 queue name>, then :w:<name> for a named worker.
        var keys = new QueueKeys("metastore-events");
        Assert.Equal("bull:bWV0YXN0b3JlLWV2ZW50cw==", keys.ClientName);
        Assert.Equal("bull:bWV0YXN0b3JlLWV2ZW50cw==:w:metastore", keys.WorkerClientName("metastore"));
        Assert.True(keys.IsWorkerClientName("bull:bWV0YXN0b3JlLWV2ZW50cw=="));
        Assert.True(keys.IsWorkerClientName("bull:bWV0YXN0b3JlLWV2ZW50cw==:w:metastore"));
        Assert.False(keys.IsWorkerClientName("bull:bWV0YXN0b3JlLWV2ZW50cw==:qe"));
        Assert.False(keys.IsWorkerClientName(null));

        // The same names as a real BullMQ worker gives its connection.
        var queue = RedisServer.UniqueQueue("named-by-bullmq");
        var run = _bullmq.RunAsync("work", new { queue, expect = 1, stopWhenKey = $"{queue}:done", timeoutMs = 20_000, name = "timestore" });
        var clients = await Eventually.Until(
            async () => (await Redis.Multiplexer.GetServer(Redis.Configuration).ClientListAsync()).Select(c => c.Name).ToList(),
            names => names.Contains(new QueueKeys(queue).WorkerClientName("timestore")),
            what: "the BullMQ worker's connection to carry the name this client computes");
        await Redis.Db.StringSetAsync($"{queue}:done", "1");
        await run;
        Assert.Single(clients, n => new QueueKeys(queue).IsWorkerClientName(n));
    }

    [Fact]
    public void A_worker_name_redis_would_refuse_is_rejected_up_front()
    {
        Assert.Throws<ArgumentException>(() => new QueueWorker(Connection, "q", (_, _) => Task.FromResult<object?>(null), new WorkerOptions { Name = "two words" }));
        Assert.Throws<ArgumentException>(() => new QueueWorker(Connection, "q", (_, _) => Task.FromResult<object?>(null), new WorkerOptions { Name = "" }));
    }
}
