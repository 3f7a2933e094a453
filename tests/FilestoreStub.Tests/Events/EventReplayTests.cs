using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BullMq;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Events;

/// <summary>Replaying rollback exports: the JSON lines a real drain wrote go back to their own queue, once, or not at all.</summary>
[Collection(RedisCollection.Name)]
public sealed class EventReplayTests(RedisServer redis) : FilestoreTest(redis)
{
    private static FilestoreEvent NewEvent(string path, string service = "billing") =>
        new($"cmd-{Guid.NewGuid():N}", "staging", service, path, EventKinds.Created, EventSources.Command,
            1_800_000_000_000, "corr-replay", 1_800_000_000_000_000, Size: 3, Sha256: new string('b', 64));

    private async Task PublishAsync(params FilestoreEvent[] events)
    {
        var publisher = App.Services.GetRequiredService<EventPublisher>();
        foreach (var @event in events)
        {
            Assert.True(await publisher.PublishAsync(@event));
        }
    }

    /// <summary>Drains <paramref name="queue"/> with no worker running, so everything is exported; returns the export's text.</summary>
    private async Task<string> DrainAsync(string queue)
    {
        var file = Path.Combine(App.DataDirectory, "exports", $"test-{Guid.NewGuid():N}-{queue}.jsonl");
        var report = await App.Services.GetRequiredService<QueueDrain>().DrainAsync(queue, TimeSpan.Zero, file);
        Assert.Equal(report.Exported, report.Removed);
        return File.ReadAllText(file);
    }

    private Task<HttpResponseMessage> ReplayAsync(string body, bool dryRun = false, string contentType = "application/x-ndjson") =>
        App.Operator().PostAsync($"/events/replay{(dryRun ? "?dryRun=true" : string.Empty)}", new StringContent(body, Encoding.UTF8, contentType));

    private async Task<long> WaitingAsync(string queue) => await Redis.Db.ListLengthAsync(new QueueKeys(queue).Wait);

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static (long Replayed, long AlreadyPresent) Counts(JsonElement report, string? queue = null)
    {
        var counts = queue is null ? report : report.GetProperty("queues").GetProperty(queue);
        return (counts.GetProperty("replayed").GetInt64(), counts.GetProperty("alreadyPresent").GetInt64());
    }

    [Fact]
    public async Task A_rollback_export_is_refused_while_publishing_is_paused_then_goes_back_to_its_own_queue_with_the_same_jobs()
    {
        var steps = new CutoverSteps(App);
        var client = await steps.IntoManagedAsync();
        for (var i = 0; i < 3; i++)
        {
            using var put = await steps.CommandAsync(client, new { command = "put", path = $"replayed/{i}.txt", text = $"content {i}" });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var before = await QueuedEvents.WaitingAsync(Redis, EventQueues.Timestore);
        await steps.MoveToAsync("manual");
        var export = Directory.GetFiles(Path.Combine(App.DataDirectory, "exports"), "staging-billing-*-timestore-events.jsonl").Single();
        var text = File.ReadAllText(export);
        Assert.Empty(await QueuedEvents.WaitingAsync(Redis, EventQueues.Timestore));

        // The rollback left publishing paused: nothing may be replayed until the service is cut over again.
        foreach (var dryRun in new[] { true, false })
        {
            using var refused = await ReplayAsync(text, dryRun);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("https://filestore.sandbox/problems/replay-refused", problem.GetProperty("type").GetString());
            Assert.Equal(["staging/billing"], problem.GetProperty("paused").EnumerateArray().Select(p => p.GetString()));
            Assert.Contains("staging/billing", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal((0, 0), (await WaitingAsync(EventQueues.Timestore), await WaitingAsync(EventQueues.Metastore)));

        await steps.PublishingAsync(true);
        using var response = await ReplayAsync(text);

        var report = await OkAsync(response);
        Assert.Equal(before.Count, report.GetProperty("lines").GetInt32());
        Assert.False(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal((before.Count, 0), Counts(report));
        Assert.Equal((before.Count, 0), Counts(report, EventQueues.Timestore));
        Assert.Equal((0, 0), Counts(report, EventQueues.Metastore));
        Assert.Equal(before, await QueuedEvents.WaitingAsync(Redis, EventQueues.Timestore));
        Assert.Equal(0, await WaitingAsync(EventQueues.Metastore));
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!))
        {
            var job = (await Redis.Db.HashGetAllAsync(new QueueKeys(EventQueues.Timestore).Job(line["id"]!.GetValue<string>())))
                .ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
            Assert.Equal(line["name"]!.GetValue<string>(), job["name"]);
            Assert.Equal(line["data"]!.ToJsonString(), job["data"]);
            Assert.Equal(5, JsonNode.Parse(job["opts"])!["attempts"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Replaying_the_same_export_twice_adds_nothing_the_second_time_and_only_created_jobs_count_as_published()
    {
        await PublishAsync(NewEvent("a.txt"), NewEvent("b.txt"), NewEvent("c.txt", service: "reports"));
        var export = await DrainAsync(EventQueues.Metastore) + await DrainAsync(EventQueues.Timestore);
        var published = await Scrape.UntilAsync(App, "filestore_events_published_total", 6, ("env", "staging"));

        var first = await OkAsync(await ReplayAsync(export, contentType: "text/plain"));
        await Scrape.UntilAsync(App, "filestore_events_published_total", published + 6, ("env", "staging"));
        var second = await OkAsync(await ReplayAsync(export));

        Assert.Equal(((6L, 0L), (3L, 0L), (3L, 0L)), (Counts(first), Counts(first, EventQueues.Metastore), Counts(first, EventQueues.Timestore)));
        Assert.Equal(((0L, 6L), (0L, 3L), (0L, 3L)), (Counts(second), Counts(second, EventQueues.Metastore), Counts(second, EventQueues.Timestore)));
        Assert.Equal((3, 3), (await WaitingAsync(EventQueues.Metastore), await WaitingAsync(EventQueues.Timestore)));
        // A later publish as a marker: once the counter shows it, it shows everything before it, the second replay included.
        await PublishAsync(NewEvent("marker.txt"));
        Assert.Equal(published + 8, await Scrape.UntilAsync(App, "filestore_events_published_total", published + 8, ("env", "staging")));
    }

    [Fact]
    public async Task An_export_with_a_bad_line_is_refused_whole_with_every_bad_line_named()
    {
        await PublishAsync(NewEvent("good.txt"));
        var good = (await DrainAsync(EventQueues.Metastore)).TrimEnd('\n');
        JsonNode Edited(Action<JsonNode> edit)
        {
            var line = JsonNode.Parse(good)!;
            edit(line);
            return line;
        }

        var body = string.Join('\n',
            good,
            "{\"queue\": \"metastore-events\", \"id\":",
            "",
            Edited(l => l["queue"] = "other-events").ToJsonString(),
            Edited(l => l["id"] = "cmd-someone-else").ToJsonString(),
            Edited(l => l["data"]!["env"] = "qa").ToJsonString(),
            Edited(l => l["data"]!["service"] = "payroll").ToJsonString(),
            Edited(l => l["data"] = "not an event").ToJsonString(),
            "[1, 2]",
            good);

        using var response = await ReplayAsync(body);

        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/validation", problem.GetProperty("type").GetString());
        var errors = problem.GetProperty("errors").GetProperty("lines").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(["line 2: ", "line 4: ", "line 5: ", "line 6: ", "line 7: ", "line 8: ", "line 9: "], errors.Select(e => e[..8]));
        Assert.StartsWith("line 2: not valid JSON", errors[0], StringComparison.Ordinal);
        Assert.Contains("queue 'other-events' is not an event queue", errors[1], StringComparison.Ordinal);
        Assert.Contains("id 'cmd-someone-else' is not data.eventId", errors[2], StringComparison.Ordinal);
        Assert.Contains("data.env 'qa' is not an environment", errors[3], StringComparison.Ordinal);
        Assert.Contains("data.service 'payroll' is not an onboarded service", errors[4], StringComparison.Ordinal);
        Assert.Contains("data is not a Filestore event", errors[5], StringComparison.Ordinal);
        Assert.Equal("line 9: not a JSON object", errors[6]);
        // The timestore copy was never drained; the metastore one stays gone, good line included.
        Assert.Equal((0, 1), (await WaitingAsync(EventQueues.Metastore), await WaitingAsync(EventQueues.Timestore)));
    }

    [Fact]
    public async Task A_dry_run_counts_what_would_be_replayed_and_what_is_still_there_but_adds_nothing()
    {
        var kept = NewEvent("kept.txt");
        await PublishAsync(kept, NewEvent("lost.txt"));
        var export = await DrainAsync(EventQueues.Metastore) + await DrainAsync(EventQueues.Timestore);
        // One of the two events was published again since the export: only the other one is missing from the queues.
        await PublishAsync(kept);

        var report = await OkAsync(await ReplayAsync(export, dryRun: true));

        Assert.True(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal(4, report.GetProperty("lines").GetInt32());
        Assert.Equal(((2L, 2L), (1L, 1L), (1L, 1L)), (Counts(report), Counts(report, EventQueues.Metastore), Counts(report, EventQueues.Timestore)));
        Assert.Equal([kept], await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore));
        Assert.Equal([kept], await QueuedEvents.WaitingAsync(Redis, EventQueues.Timestore));
    }

    [Fact]
    public async Task An_export_sent_as_json_or_over_the_size_limit_is_refused()
    {
        await PublishAsync(NewEvent("x.txt"));
        var export = await DrainAsync(EventQueues.Metastore);
        await using var small = App.WithWebHostBuilder(builder => builder.UseSetting("Events:MaxReplayBytes", "1024"));
        var client = small.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", FilestoreApp.OperatorToken);

        using var asJson = await ReplayAsync(export, contentType: "application/json");
        using var untyped = await App.Operator().PostAsync("/events/replay", new ByteArrayContent(Encoding.UTF8.GetBytes(export)));
        using var tooLarge = await client.PostAsync("/events/replay", new StringContent(export + new string(' ', 1024), Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, asJson.StatusCode);
        Assert.Contains("problems/unsupported-media-type", await asJson.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, untyped.StatusCode);
        Assert.Contains("problems/unsupported-media-type", await untyped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("problems/too-large", await tooLarge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await WaitingAsync(EventQueues.Metastore));
    }

    [Fact]
    public async Task Only_the_operator_may_replay()
    {
        var steps = new CutoverSteps(App);
        await steps.GrantAsync();
        using var service = App.ClientWith(await steps.IssueTokenAsync());

        using var response = await service.PostAsync("/events/replay", new StringContent("", Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
