using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using BullMq;
using SampleConsumer.Tests.Infrastructure;

namespace SampleConsumer.Tests.Processes;

/// <summary>The drills' consumer fault (<c>/stall</c>): a pause that holds events back, and a slow-down before each event.</summary>
[Collection(RedisCollection.Name)]
public sealed class StallTests(RedisServer redis) : ConsumerTest(redis)
{
    private const string Queue = "metastore-events";

    [Fact]
    public async Task The_stall_fault_answers_only_to_the_operator_token_while_the_read_api_stays_open()
    {
        await using var consumer = await StartAsync("metastore");
        using var anonymous = new HttpClient { BaseAddress = consumer.Http.BaseAddress, Timeout = Deadlines.Request };
        using var stranger = new HttpClient { BaseAddress = consumer.Http.BaseAddress, Timeout = Deadlines.Request };
        stranger.DefaultRequestHeaders.Authorization = new("Bearer", ConsumerProcess.OperatorToken + "x");

        foreach (var client in new[] { anonymous, stranger })
        {
            using var put = await client.PutAsJsonAsync("/stall", new { pauseSeconds = 600 });
            using var delete = await client.DeleteAsync("/stall");
            using var get = await client.GetAsync("/stall");
            Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], new[] { put.StatusCode, delete.StatusCode, get.StatusCode });
            Assert.Equal("Bearer", put.Headers.WwwAuthenticate.Single().Scheme);
        }

        Assert.Equal(JsonValueKind.Null, (await consumer.GetAsync("/stall")).GetProperty("pausedUntil").ValueKind);
        using var totals = await anonymous.GetAsync("/envs/staging/services/billing/totals");
        Assert.Equal(HttpStatusCode.OK, totals.StatusCode);
    }

    [Fact]
    public async Task A_stall_holds_events_back_until_it_is_cleared_and_shows_as_a_metric()
    {
        await using var consumer = await StartAsync("metastore");
        var jobs = new QueueOperations(Connection, Queue);
        await SetAsync(consumer, new { pauseSeconds = 600 });
        await UntilGaugeAsync(consumer, "consumer_fault_stalled", "1");

        await AddAsync(Queue, "held", Change("held", "created", "held.txt", 1));
        // Taken by the worker and held in the handler: without the stall it would be finished within milliseconds.
        await Eventually.Until(() => jobs.GetStateAsync("held"), s => s == JobStates.Active, what: "the held event taken");
        Assert.Equal(0, await StoredEventsAsync("metastore"));

        var clearedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using (var cleared = await consumer.Http.DeleteAsync("/stall"))
        {
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        }

        var held = await FinishedAsync(jobs, "held");
        Assert.Equal(1, await AppliedAsync(consumer));
        Assert.True(held!.FinishedOn >= clearedAt, $"finished at {held.FinishedOn}, before the stall was cleared at {clearedAt}");
        await UntilGaugeAsync(consumer, "consumer_fault_stalled", "0");
    }

    [Fact]
    public async Task A_stall_pause_ends_by_itself_at_its_time()
    {
        await using var consumer = await StartAsync("metastore");
        var jobs = new QueueOperations(Connection, Queue);
        var settings = await SetAsync(consumer, new { pauseSeconds = 3 });
        var pausedUntil = settings.GetProperty("pausedUntil").GetDateTimeOffset().ToUnixTimeMilliseconds();

        await AddAsync(Queue, "held", Change("held", "created", "held.txt", 1));
        var held = await FinishedAsync(jobs, "held");

        Assert.Equal(1, await AppliedAsync(consumer));
        Assert.True(held!.ProcessedOn < pausedUntil && held.FinishedOn >= pausedUntil,
            $"taken at {held.ProcessedOn} and finished at {held.FinishedOn}; the pause lasted until {pausedUntil}");
        await UntilGaugeAsync(consumer, "consumer_fault_stalled", "0");
    }

    [Fact]
    public async Task A_slow_down_delays_each_event_by_its_time_until_it_is_cleared()
    {
        const int DelayMs = 1000;
        await using var consumer = await StartAsync("metastore");
        var jobs = new QueueOperations(Connection, Queue);
        await SetAsync(consumer, new { delayMs = DelayMs });
        Assert.Equal(DelayMs, (await consumer.GetAsync("/stall")).GetProperty("delayMs").GetInt32());
        await UntilGaugeAsync(consumer, "consumer_fault_delay_seconds", "1");

        var slow = await AddEachAsync("slow", 3);
        foreach (var id in slow)
        {
            // Timer ticks are whole milliseconds, so a delay can end a millisecond short of its time on the wall clock.
            Assert.InRange(HandlingTime(await FinishedAsync(jobs, id)), DelayMs - 2, long.MaxValue);
        }

        Assert.Equal(slow.Count, await AppliedAsync(consumer));

        using (var cleared = await consumer.Http.DeleteAsync("/stall"))
        {
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        }

        Assert.Equal(0, (await consumer.GetAsync("/stall")).GetProperty("delayMs").GetInt32());
        await UntilGaugeAsync(consumer, "consumer_fault_delay_seconds", "0");
        var fast = await AddEachAsync("fast", 3);
        foreach (var id in fast)
        {
            Assert.InRange(HandlingTime(await FinishedAsync(jobs, id)), 0, DelayMs - 1);
        }

        Assert.Equal(slow.Count + fast.Count, await AppliedAsync(consumer));
    }

    [Fact]
    public async Task A_stall_set_on_one_instance_holds_every_instance_of_the_role()
    {
        await using var one = await StartAsync("metastore");
        await using var two = await StartAsync("metastore");

        await SetAsync(one, new { delayMs = 250 });

        // Each instance rereads the role's stall from Redis every second.
        await Eventually.Until(() => two.GetAsync("/stall"), s => s.GetProperty("delayMs").GetInt32() == 250, what: "the other instance's stall");
        await UntilGaugeAsync(two, "consumer_fault_delay_seconds", "0.25");
        using (var cleared = await one.Http.DeleteAsync("/stall"))
        {
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        }

        await Eventually.Until(() => two.GetAsync("/stall"), s => s.GetProperty("delayMs").GetInt32() == 0, what: "the other instance's stall cleared");
    }

    [Theory]
    [InlineData("""{"pauseSeconds":-1}""", "pauseSeconds")]
    [InlineData("""{"pauseSeconds":3601}""", "pauseSeconds")]
    [InlineData("""{"delayMs":600000}""", "delayMs")]
    [InlineData("""{"delayMs":-5}""", "delayMs")]
    public async Task An_invalid_stall_is_refused_naming_the_field_and_changes_nothing(string body, string field)
    {
        await using var consumer = await StartAsync("timestore");

        using var response = await consumer.Http.PutAsync("/stall", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        var current = await consumer.GetAsync("/stall");
        Assert.Equal((JsonValueKind.Null, 0), (current.GetProperty("pausedUntil").ValueKind, current.GetProperty("delayMs").GetInt32()));
        Assert.False(await Redis.Db.KeyExistsAsync("consumer:timestore:stall"));
    }

    private static async Task<JsonElement> SetAsync(ConsumerProcess consumer, object settings)
    {
        using var response = await consumer.Http.PutAsJsonAsync("/stall", settings);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task UntilGaugeAsync(ConsumerProcess consumer, string gauge, string value) =>
        await Eventually.Until(() => consumer.Http.GetStringAsync("/metrics"),
            m => Regex.IsMatch(m, $"^{gauge}\\{{[^}}]*consumer=\"metastore\"[^}}]*\\}} {Regex.Escape(value)}( |$)", RegexOptions.Multiline),
            what: $"{gauge} at {value}");

    private async Task<List<string>> AddEachAsync(string prefix, int count)
    {
        var ids = Enumerable.Range(1, count).Select(i => $"{prefix}-{i}").ToList();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            await AddAsync(Queue, id, Change(id, "created", $"{id}.txt", sequence: i + 1));
        }

        return ids;
    }

    /// <summary>The job once the worker finished it (the store applies an event a moment before its job is finished).</summary>
    private static async Task<Job> FinishedAsync(QueueOperations jobs, string id) =>
        (await Eventually.Until(() => jobs.GetJobAsync(id), j => j?.FinishedOn is not null, what: $"job {id} finished"))!;

    /// <summary>From the worker taking the job to finishing it, by the worker's own timestamps on the job.</summary>
    private static long HandlingTime(Job job) => job.FinishedOn!.Value - job.ProcessedOn!.Value;
}
