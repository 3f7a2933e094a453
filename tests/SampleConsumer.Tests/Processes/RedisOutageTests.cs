using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using BullMq;
using SampleConsumer.Tests.Infrastructure;

namespace SampleConsumer.Tests.Processes;

/// <summary>A consumer process across a Redis outage, with Redis persisting as the sandbox's does (append-only file).</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisOutageTests(RedisServer redis) : ConsumerTest(redis)
{
    private const string Queue = "metastore-events";
    private const int Waiting = 20;

    // StackExchange.Redis's default command timeout is 5 s.
    private static readonly TimeSpan OutageLongerThanCommandTimeout = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Without_redis_it_reports_unhealthy_and_afterwards_applies_every_event_that_was_waiting_exactly_once()
    {
        await using var consumer = await StartAsync("metastore", concurrency: 8);
        var jobs = new QueueOperations(Connection, Queue);
        await AddAsync(Queue, "before", Change("before", "created", "before.txt", 1));
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 1, what: "the event before the outage");

        // The consumer falls behind (a drill stall), so work is in Redis when it goes: 8 events taken and held by the
        // consumer, the rest queued.
        using (var stall = await consumer.Http.PutAsJsonAsync("/stall", new { pauseSeconds = 600 }))
        {
            Assert.Equal(HttpStatusCode.OK, stall.StatusCode);
        }

        var events = Enumerable.Range(1, Waiting).Select(i => (Id: $"waiting-{i}", Path: $"waiting/{i}.txt", Content: $"content {i}")).ToList();
        foreach (var (e, i) in events.Select((e, i) => (e, i)))
        {
            await AddAsync(Queue, e.Id, Change(e.Id, "created", e.Path, sequence: 100 + i, content: e.Content));
        }

        await Eventually.Until(() => jobs.GetJobCountsAsync(), c => c[JobStates.Active] == 8 && c[JobStates.Waiting] == Waiting - 8,
            what: "8 events held and the rest waiting");

        // A clean shutdown rather than a SIGKILL: Redis writes its append-only file out before it exits, so exactly the
        // 20 events are on disk. After a SIGKILL, what survives depends on whether the once-a-second fsync had run,
        // and this test is about the consumer, not about Redis's durability.
        var down = Stopwatch.StartNew();
        await Redis.ShutdownAsync();
        await Eventually.Until(consumer.HealthAsync, s => s == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "unhealthy without redis");
        // Down for longer than the consumer's Redis command timeout, as in any outage longer than a blip: commands that
        // waited for the connection fail with a timeout, and the consumer must outlive that.
        if (OutageLongerThanCommandTimeout - down.Elapsed is { Ticks: > 0 } rest)
        {
            await Task.Delay(rest);
        }

        await Redis.StartAgainAsync();
        await Eventually.Until(consumer.HealthAsync, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "healthy again");

        // Everything that was waiting survived the restart, and nothing of it was applied while the stall held.
        // The test's own connection reconnects in the background: the first read is the one that succeeds.
        var counts = await Eventually.Until(() => jobs.GetJobCountsAsync(), _ => true, what: "the queue readable again");
        Assert.Equal((Waiting, 1L, 0L), (counts[JobStates.Active] + counts[JobStates.Waiting] + counts[JobStates.Delayed], counts[JobStates.Completed], counts[JobStates.Failed]));
        Assert.Equal(1, await StoredEventsAsync("metastore"));

        using (var cleared = await consumer.Http.DeleteAsync("/stall"))
        {
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        }

        await Eventually.Until(() => jobs.GetJobCountsAsync(), c => c[JobStates.Completed] == Waiting + 1,
            TimeSpan.FromSeconds(60), "every waiting event completed");

        // Each one applied once, with its own content: checked against what was sent.
        var applied = (await Redis.Db.SetMembersAsync($"metastore:{Workload.Env}:{Workload.Service}:applied")).Select(m => (string)m!).Order(StringComparer.Ordinal);
        Assert.Equal(events.Select(e => e.Id).Append("before").Order(StringComparer.Ordinal), applied);
        Assert.Equal(Waiting + 1, await AppliedAsync(consumer));
        foreach (var e in events)
        {
            var metadata = await PathAsync(consumer, e.Path);
            Assert.Equal((e.Id, Sha256(e.Content)), (metadata.GetProperty("eventId").GetString(), metadata.GetProperty("sha256").GetString()));
        }

        var final = await jobs.GetJobCountsAsync();
        Assert.Equal((0L, 0L, 0L, 0L), (final[JobStates.Active], final[JobStates.Waiting], final[JobStates.Delayed], final[JobStates.Failed]));
        // The instance lived through the outage: its own count agrees.
        await Eventually.Until(() => consumer.ProcessedAsync("applied"), n => n == Waiting + 1, what: $"{Waiting + 1} events counted applied");
    }
}
