using System.Text.RegularExpressions;
using BullMq;
using SampleConsumer.Tests.Infrastructure;

namespace SampleConsumer.Tests.Processes;

/// <summary>What a consumer process does with bad events, late events and events out of order, and which trace it applies them in.</summary>
[Collection(RedisCollection.Name)]
public sealed class EventHandlingTests(RedisServer redis) : ConsumerTest(redis)
{
    private const string Queue = "metastore-events";

    [Fact]
    public async Task A_malformed_event_fails_with_its_reason_is_counted_and_the_worker_goes_on()
    {
        await using var consumer = await StartAsync("metastore");
        var jobs = new QueueOperations(Connection, Queue);

        await AddAsync(Queue, "bad-1", new { eventId = "bad-1", kind = "exploded" });
        var bad = await Eventually.Until(() => jobs.GetJobAsync("bad-1"), j => j?.FailedReason is not null, what: "the bad job failed");
        // Published only once the bad one failed, so applying it shows the worker went on after the failure.
        await AddAsync(Queue, "good-1", Change("good-1", "created", "after-the-bad-one.txt", 10));
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 1, what: "the good event applied");

        Assert.Contains("kind 'exploded'", bad!.FailedReason, StringComparison.Ordinal);
        Assert.Equal(1, bad.AttemptsMade);
        Assert.Equal(JobStates.Failed, await jobs.GetStateAsync("bad-1"));
        Assert.Equal("good-1", (await PathAsync(consumer, "after-the-bad-one.txt")).GetProperty("eventId").GetString());
        await Eventually.Until(async () => (Failed: await consumer.ProcessedAsync("failed"), Applied: await consumer.ProcessedAsync("applied")),
            counts => counts == (1, 1), what: "one failed and one applied event counted");
        // The bad event's own env and service are not trusted; the good one is counted under its env and service.
        Assert.Equal(1, await consumer.ProcessedAsync("failed", "env=\"unknown\"", "service=\"unknown\""));
        Assert.Equal(1, await consumer.ProcessedAsync("applied", $"env=\"{Workload.Env}\"", $"service=\"{Workload.Service}\"", "queue=\"metastore-events\""));
        await Eventually.Until(() => consumer.Http.GetStringAsync("/metrics"),
            m => Regex.IsMatch(m, $"^consumer_reconciliation_lag_seconds_count\\{{(?=[^}}]*env=\"{Workload.Env}\")(?=[^}}]*service=\"{Workload.Service}\")[^}}]*\\}} 1( |$)", RegexOptions.Multiline),
            what: "the lag of the good event recorded under its env and service");
    }

    [Fact]
    public async Task An_older_event_arriving_late_never_overwrites_a_newer_state()
    {
        await using var consumer = await StartAsync("metastore");

        await AddAsync(Queue, "new", Change("new", "modified", "report.csv", sequence: 20, content: "newer"));
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 1, what: "the newer event");
        await AddAsync(Queue, "old", Change("old", "created", "report.csv", sequence: 10, content: "older"));
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 2, what: "the older event");

        var metadata = await PathAsync(consumer, "report.csv");
        Assert.Equal(("new", 20L, 5, Sha256("newer")),
            (metadata.GetProperty("eventId").GetString(), metadata.GetProperty("sequence").GetInt64(), metadata.GetProperty("size").GetInt32(),
             metadata.GetProperty("sha256").GetString()));
    }

    [Fact]
    public async Task Timestore_keeps_every_version_of_a_path_in_order_whatever_order_they_arrive_in()
    {
        await using var consumer = await StartAsync("timestore");
        const string TimestoreQueue = "timestore-events";

        await AddAsync(TimestoreQueue, "v3", Change("v3", "renamed", "b.txt", sequence: 30, content: "two", previous: "a.txt"));
        await AddAsync(TimestoreQueue, "v1", Change("v1", "created", "a.txt", sequence: 10, content: "one"));
        await AddAsync(TimestoreQueue, "v2", Change("v2", "modified", "a.txt", sequence: 20, content: "two"));
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 3, what: "three versions");

        var history = await PathAsync(consumer, "a.txt");
        Assert.Equal([("v1", "created"), ("v2", "modified"), ("v3", "renamed")],
            history.EnumerateArray().Select(v => (v.GetProperty("eventId").GetString(), v.GetProperty("kind").GetString())));
        var moved = Assert.Single((await PathAsync(consumer, "b.txt")).EnumerateArray());
        Assert.Equal(("v3", "renamed", "a.txt"),
            (moved.GetProperty("eventId").GetString(), moved.GetProperty("kind").GetString(), moved.GetProperty("previousPath").GetString()));
    }

    [Fact]
    public async Task Applying_continues_the_trace_the_event_was_published_in()
    {
        await using var consumer = await StartAsync("metastore");
        using var source = new System.Diagnostics.ActivitySource("publisher-under-test");
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        string traceId;
        using (var request = source.StartActivity("a filestore request"))
        {
            traceId = request!.TraceId.ToHexString();
            await AddAsync(Queue, "traced", Change("traced", "created", "traced.txt", 1));
        }

        await Eventually.Until(() => AppliedAsync(consumer), n => n == 1, what: "the traced event");
        var metadata = await PathAsync(consumer, "traced.txt");
        Assert.Equal(traceId, metadata.GetProperty("traceId").GetString());
    }
}
