using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BullMq;
using SampleConsumer.Tests.Infrastructure;

namespace SampleConsumer.Tests.Processes;

/// <summary>What a consumer does with bad events, outages, late events and the stall fault, as a real process.</summary>
[Collection(RedisCollection.Name)]
public sealed class ConsumerBehaviourTests(RedisServer redis) : ConsumerTest(redis)
{
    private const string Queue = "metastore-events";

    private Task<AddedJob> AddAsync(string queue, string id, object data) =>
        Producer.AddJsonAsync(queue, "change", JsonSerializer.Serialize(data), new JobOptions { JobId = id, Attempts = 5, Backoff = Backoff.Fixed(200) });

    private static object Change(string id, string kind, string path, long sequence, string content = "x", string? previous = null) => new
    {
        eventId = id, env = Workload.Env, service = Workload.Service, path, kind, source = "command", previousPath = previous,
        occurredAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), sequence, correlationId = $"corr-{id}",
        size = kind is "deleted" ? (long?)null : content.Length,
        sha256 = kind is "deleted" ? null : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content))),
    };

    [Fact]
    public async Task A_malformed_event_fails_with_its_reason_is_counted_and_the_worker_goes_on()
    {
        await using var consumer = await StartAsync("metastore");
        var jobs = new QueueOperations(Connection, Queue);

        await AddAsync(Queue, "bad-1", new { eventId = "bad-1", kind = "exploded" });
        await AddAsync(Queue, "good-1", Change("good-1", "created", "after-the-bad-one.txt", 10));

        await Eventually.Until(() => AppliedAsync(consumer), n => n == 1, what: "the good event applied");
        var bad = await Eventually.Until(() => jobs.GetJobAsync("bad-1"), j => j?.FailedReason is not null, what: "the bad job failed");
        Assert.Contains("kind 'exploded'", bad!.FailedReason, StringComparison.Ordinal);
        Assert.Equal(1, bad.AttemptsMade);
        Assert.Matches("consumer_events_processed_total\\{[^}]*outcome=\"failed\"[^}]*\\} 1\\b", await consumer.Http.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task An_older_event_arriving_late_never_overwrites_a_newer_state()
    {
        await using var consumer = await StartAsync("metastore");

        await AddAsync(Queue, "new", Change("new", "modified", "report.csv", sequence: 20, content: "newer"));
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 1, what: "the newer event");
        await AddAsync(Queue, "old", Change("old", "created", "report.csv", sequence: 10, content: "older"));
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 2, what: "the older event");

        var metadata = await consumer.GetAsync($"/envs/{Workload.Env}/services/{Workload.Service}/paths?path=report.csv");
        Assert.Equal(("new", 5), (metadata.GetProperty("eventId").GetString(), metadata.GetProperty("size").GetInt32()));
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

        var history = await consumer.GetAsync($"/envs/{Workload.Env}/services/{Workload.Service}/paths?path=a.txt");
        Assert.Equal(["v1", "v2", "v3"], history.EnumerateArray().Select(v => v.GetProperty("eventId").GetString()));
        var moved = await consumer.GetAsync($"/envs/{Workload.Env}/services/{Workload.Service}/paths?path=b.txt");
        Assert.Equal(("renamed", "a.txt"), (moved[0].GetProperty("kind").GetString(), moved[0].GetProperty("previousPath").GetString()));
    }

    [Fact]
    public async Task The_consistency_check_names_missing_extra_and_different_files()
    {
        var root = Directory.CreateDirectory(Path.Combine(DataDirectory, Workload.Env, Workload.Service)).FullName;
        File.WriteAllText(Path.Combine(root, "same.txt"), "x");
        File.WriteAllText(Path.Combine(root, "changed.txt"), "on disk");
        File.WriteAllText(Path.Combine(root, "unknown.txt"), "never published");
        await using var consumer = await StartAsync("metastore");
        await AddAsync(Queue, "e1", Change("e1", "created", "same.txt", 1));
        await AddAsync(Queue, "e2", Change("e2", "created", "changed.txt", 2, content: "in the store"));
        await AddAsync(Queue, "e3", Change("e3", "created", "gone.txt", 3));
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 3, what: "three events");

        var report = await consumer.GetAsync(Consistency);

        Assert.False(report.GetProperty("consistent").GetBoolean());
        Assert.Equal([("changed.txt", "different"), ("unknown.txt", "missing"), ("gone.txt", "extra")],
            report.GetProperty("mismatches").EnumerateArray().Select(m => (m.GetProperty("path").GetString(), m.GetProperty("problem").GetString())));
    }

    [Fact]
    public async Task Without_redis_it_reports_unhealthy_and_afterwards_applies_what_was_waiting_without_loss()
    {
        await using var consumer = await StartAsync("metastore");
        await AddAsync(Queue, "before", Change("before", "created", "before.txt", 1));
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 1, what: "the first event");

        await Redis.KillAsync();
        await Eventually.Until(consumer.HealthAsync, s => s == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "unhealthy without redis");
        await Redis.StartAgainAsync();
        await Eventually.Until(consumer.HealthAsync, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "healthy again");
        // The test's Redis keeps no data across a crash: publish again, as Filestore's outbox would, retrying until the
        // producer's own connection is back (it reconnects in the background, not always as fast as the consumer's).
        await Eventually.Until(async () =>
        {
            try
            {
                await AddAsync(Queue, "after", Change("after", "created", "after.txt", 2));
                return true;
            }
            catch (QueueUnavailableException)
            {
                return false;
            }
        }, added => added, TimeSpan.FromSeconds(30), "the event published after the outage");

        await Eventually.Until(() => consumer.GetAsync(Totals), t => t.GetProperty("events").GetInt64() >= 1 && t.GetProperty("files").GetInt64() >= 1,
            TimeSpan.FromSeconds(60), "the event after the outage applied");
    }

    [Fact]
    public async Task A_stall_holds_events_back_until_it_is_cleared_and_shows_as_a_metric()
    {
        await using var consumer = await StartAsync("metastore");
        using var stalled = await consumer.Http.PutAsJsonAsync("/stall", new { pauseSeconds = 600 });
        Assert.Equal(HttpStatusCode.OK, stalled.StatusCode);
        await Eventually.Until(() => consumer.Http.GetStringAsync("/metrics"),
            m => System.Text.RegularExpressions.Regex.IsMatch(m, "consumer_fault_stalled\\{[^}]*consumer=\"metastore\"[^}]*\\} 1\\b"), what: "the stall gauge");

        await AddAsync(Queue, "held", Change("held", "created", "held.txt", 1));
        await Task.Delay(1500);
        Assert.Equal(0, await AppliedAsync(consumer));

        using var cleared = await consumer.Http.DeleteAsync("/stall");
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 1, what: "the held event applied after the stall");
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
        var metadata = await consumer.GetAsync($"/envs/{Workload.Env}/services/{Workload.Service}/paths?path=traced.txt");
        Assert.Equal(traceId, metadata.GetProperty("traceId").GetString());
    }

    [Theory]
    [InlineData("""{"pauseSeconds":-1}""")]
    [InlineData("""{"delayMs":600000}""")]
    public async Task An_invalid_stall_is_refused(string body)
    {
        await using var consumer = await StartAsync("timestore");

        using var response = await consumer.Http.PutAsync("/stall", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
