using System.Net;
using System.Net.Sockets;
using BullMq.Tests.Infrastructure;
using StackExchange.Redis;

namespace BullMq.Tests.Producer;

[Collection(RedisCollection.Name)]
public sealed class ProducerTests(RedisServer redis) : QueueTest(redis)
{
    [Fact]
    public async Task A_plain_job_is_stored_as_bullmq_stores_it_and_wakesWorkers()
    {
        var queue = RedisServer.UniqueQueue("plain");
        var keys = new QueueKeys(queue);

        var added = await Producer.AddAsync(queue, "file-changed", new { path = "a/b.txt" });

        Assert.True(added.Created);
        var job = (await Redis.Db.HashGetAllAsync(keys.Job(added.JobId))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal("file-changed", job["name"]);
        Assert.Equal("""{"path":"a/b.txt"}""", job["data"]);
        Assert.Equal("0", job["delay"]);
        Assert.Equal("0", job["priority"]);
        Assert.True(long.Parse(job["timestamp"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal([added.JobId], (await Redis.Db.ListRangeAsync(keys.Wait)).Select(v => (string)v!));
        Assert.Equal(0, await Redis.Db.SortedSetScoreAsync(keys.Marker, "0"));
        var events = await Redis.Db.StreamRangeAsync(keys.Events);
        Assert.Equal(["added", "waiting"], events.Select(e => (string)e["event"]!));
    }

    [Fact]
    public async Task A_duplicate_job_id_adds_nothing_the_second_time()
    {
        var queue = RedisServer.UniqueQueue("dup");
        var options = new JobOptions { JobId = "evt-7" };

        var first = await Producer.AddAsync(queue, "e", new { n = 1 }, options);
        var second = await Producer.AddAsync(queue, "e", new { n = 2 }, options);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal("evt-7", second.JobId);
        Assert.Equal(1, await Redis.Db.ListLengthAsync(new QueueKeys(queue).Wait));
        Assert.Equal("""{"n":1}""", (string?)await Redis.Db.HashGetAsync(new QueueKeys(queue).Job("evt-7"), "data"));
    }

    [Fact]
    public async Task Fan_out_adds_the_same_job_to_every_queue()
    {
        string[] queues = [RedisServer.UniqueQueue("fan-a"), RedisServer.UniqueQueue("fan-b")];

        var added = await Producer.AddToManyAsync(queues, "drift", new { kind = "created" }, new JobOptions { JobId = "ev-1" });

        Assert.Equal(queues.Select(q => new AddedJob(q, "ev-1", true)), added);
        foreach (var queue in queues)
        {
            Assert.Equal("""{"kind":"created"}""", (string?)await Redis.Db.HashGetAsync(new QueueKeys(queue).Job("ev-1"), "data"));
            Assert.Equal(["ev-1"], (await Redis.Db.ListRangeAsync(new QueueKeys(queue).Wait)).Select(v => (string)v!));
        }
    }

    [Fact]
    public async Task Fan_out_of_json_names_each_queues_own_job_id()
    {
        string[] queues = [RedisServer.UniqueQueue("fan-json-a"), RedisServer.UniqueQueue("fan-json-b")];
        // Queue b already counted a job, so the two ids differ.
        await Producer.AddAsync(queues[1], "e", new { });

        var added = await Producer.AddJsonToManyAsync(queues, "e", """{"n":1}""");

        Assert.Equal([new AddedJob(queues[0], "1", true), new AddedJob(queues[1], "2", true)], added);
        Assert.Equal("""{"n":1}""", (string?)await Redis.Db.HashGetAsync(new QueueKeys(queues[1]).Job("2"), "data"));
    }

    [Fact]
    public async Task A_lifo_job_is_the_next_one_workers_take()
    {
        var queue = RedisServer.UniqueQueue("lifo");
        var first = await Producer.AddAsync(queue, "e", new { });
        var second = await Producer.AddAsync(queue, "e", new { });

        var urgent = await Producer.AddAsync(queue, "e", new { }, new JobOptions { Lifo = true });

        Assert.Equal([urgent.JobId, first.JobId, second.JobId], await Operations(queue).GetWaitingJobIdsAsync());
    }

    [Fact]
    public async Task A_job_without_a_name_or_queue_is_refused_before_anything_is_written()
    {
        var queue = RedisServer.UniqueQueue("unnamed");

        await Assert.ThrowsAsync<ArgumentException>(() => Producer.AddAsync(queue, "", new { }));
        await Assert.ThrowsAsync<ArgumentException>(() => Producer.AddToManyAsync([], "e", new { }));
        await Assert.ThrowsAsync<ArgumentException>(() => Producer.AddAsync(queue, "e", new { }, new JobOptions { Attempts = -1 }));

        Assert.False(await Redis.Db.KeyExistsAsync(new QueueKeys(queue).Id));
    }

    [Fact]
    public async Task Fan_out_adds_to_no_queue_when_one_of_them_is_draining()
    {
        string[] queues = [RedisServer.UniqueQueue("fan-ok"), RedisServer.UniqueQueue("fan-draining")];
        await Redis.Db.HashSetAsync(new QueueKeys(queues[1]).Meta, "sandbox:draining", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds());

        var error = await Assert.ThrowsAsync<QueueDrainingException>(() => Producer.AddToManyAsync(queues, "e", new { }));

        Assert.Equal(queues[1], error.Queue);
        Assert.False(await Redis.Db.KeyExistsAsync(new QueueKeys(queues[0]).Wait));
        Assert.False(await Redis.Db.KeyExistsAsync(new QueueKeys(queues[0]).Id));
    }

    [Fact]
    public async Task Data_that_is_not_json_is_refused_before_anything_is_written()
    {
        var queue = RedisServer.UniqueQueue("badjson");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Producer.AddJsonAsync(queue, "e", "{not json"));

        Assert.StartsWith("Job data is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.False(await Redis.Db.KeyExistsAsync(new QueueKeys(queue).Id));
    }

    [Fact]
    public async Task Delayed_and_prioritized_jobs_land_in_their_sorted_sets_with_bullmq_scores()
    {
        var queue = RedisServer.UniqueQueue("scores");
        var keys = new QueueKeys(queue);

        var delayed = await Producer.AddAsync(queue, "d", new { }, new JobOptions { Delay = 60_000 });
        var prioritized = await Producer.AddAsync(queue, "p", new { }, new JobOptions { Priority = 3 });

        var timestamp = (long)await Redis.Db.HashGetAsync(keys.Job(delayed.JobId), "timestamp");
        Assert.Equal(Scores.Delayed(timestamp + 60_000), await Redis.Db.SortedSetScoreAsync(keys.Delayed, delayed.JobId));
        Assert.Equal(Scores.Prioritized(3, 1), await Redis.Db.SortedSetScoreAsync(keys.Prioritized, prioritized.JobId));
        Assert.Equal(Scores.DueAt(Scores.Delayed(timestamp + 60_000)), await Redis.Db.SortedSetScoreAsync(keys.Marker, "1"));
    }

    [Fact]
    public async Task Jobs_due_in_the_same_millisecond_get_consecutive_scores_as_the_csharp_encoding_says()
    {
        var queue = RedisServer.UniqueQueue("same-ms");
        var keys = new QueueKeys(queue);
        var frozen = new FixedTime(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var producer = new QueueProducer(Connection, frozen);

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await producer.AddAsync(queue, "d", new { i }, new JobOptions { Delay = 1000 })).JobId);
        }

        for (var i = 0; i < ids.Count; i++)
        {
            Assert.Equal(Scores.Delayed(1_800_000_001_000, i), await Redis.Db.SortedSetScoreAsync(keys.Delayed, ids[i]));
        }
    }

    [Fact]
    public async Task A_producer_fails_fast_with_a_clear_error_when_redis_is_unreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var deadPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var connection = QueueConnection.Create($"127.0.0.1:{deadPort},connectTimeout=500");

        var error = await Assert.ThrowsAsync<QueueUnavailableException>(() =>
            new QueueProducer(connection).AddAsync("orphan", "e", new { }));

        Assert.StartsWith("Redis is unreachable; job 'e' was not added to orphan", error.Message, StringComparison.Ordinal);
    }
}
