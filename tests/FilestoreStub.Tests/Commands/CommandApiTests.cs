using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Commands;

/// <summary>The commands API in each mode, against a real Redis and a real file system.</summary>
[Collection(RedisCollection.Name)]
public sealed class CommandApiTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private string Disk(string relative) => Path.Combine(Steps.Root, relative.Replace('/', Path.DirectorySeparatorChar));

    private async Task<List<FilestoreEvent>> CommandEvents(string queue) =>
        (await QueuedEvents.WaitingAsync(Redis, queue)).Where(e => e.Source == EventSources.Command).ToList();

    private static async Task<JsonElement> ProblemOf(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal($"https://filestore.sandbox/problems/{type}", problem.GetProperty("type").GetString());
        return problem;
    }

    [Fact]
    public async Task In_manual_mode_commands_are_refused_as_not_cut_over_and_nothing_is_written()
    {
        await Steps.GrantAsync();
        var client = App.ClientWith(await Steps.IssueTokenAsync());

        using var response = await Steps.CommandAsync(client, new { command = "put", path = "new.txt", text = "hello" });

        await ProblemOf(response, HttpStatusCode.Conflict, "not-cut-over");
        Assert.False(File.Exists(Disk("new.txt")));
    }

    [Fact]
    public async Task In_shadow_mode_a_command_returns_and_records_its_plan_and_writes_nothing()
    {
        var client = await Steps.IntoShadowAsync();

        using var response = await Steps.CommandAsync(client, new { command = "put", path = "reports/q4.csv", text = "a,b\n" }, correlationId: "drill-42");
        var planned = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("shadow", false, "created", "reports/q4.csv", 4), (planned.GetProperty("mode").GetString(), planned.GetProperty("executed").GetBoolean(),
            planned.GetProperty("change").GetProperty("kind").GetString(), planned.GetProperty("change").GetProperty("path").GetString(),
            planned.GetProperty("change").GetProperty("size").GetInt32()));
        Assert.Equal("drill-42", planned.GetProperty("correlationId").GetString());
        Assert.False(File.Exists(Disk("reports/q4.csv")));
        Assert.Empty(await CommandEvents(EventQueues.Metastore));
        var plans = await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/shadow/plans");
        Assert.Equal(planned.GetProperty("commandId").GetString(), plans[0].GetProperty("commandId").GetString());
        Assert.Equal(1, (await Steps.StateAsync()).GetProperty("shadow").GetProperty("success").GetInt32());
    }

    [Fact]
    public async Task In_managed_mode_a_put_is_written_and_published_to_both_queues_with_its_correlation_id()
    {
        var client = await Steps.IntoManagedAsync();

        using var response = await Steps.CommandAsync(client, new { command = "put", path = "2026/12/summary.csv", text = "day,count\n" }, correlationId: "cutover-rehearsal-1");
        var done = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cutover-rehearsal-1", response.Headers.GetValues("X-Correlation-Id").Single());
        Assert.Equal("day,count\n", File.ReadAllText(Disk("2026/12/summary.csv")));
        foreach (var queue in EventQueues.All)
        {
            var @event = Assert.Single(await CommandEvents(queue));
            Assert.Equal((done.GetProperty("eventId").GetString(), "staging", "billing", "2026/12/summary.csv", "created", 10L, "cutover-rehearsal-1"),
                (@event.EventId, @event.Env, @event.Service, @event.Path, @event.Kind, @event.Size, @event.CorrelationId));
            Assert.Equal(done.GetProperty("change").GetProperty("sha256").GetString(), @event.Sha256);
            Assert.Equal(done.GetProperty("commandId").GetString(), @event.CommandId);
        }
    }

    [Fact]
    public async Task Every_managed_command_kind_publishes_what_it_changed()
    {
        var client = await Steps.IntoManagedAsync();

        foreach (var command in new object[]
        {
            new { command = "mkdir", path = "inbox" },
            new { command = "put", path = "inbox/a.txt", content = Convert.ToBase64String("binary\0content"u8.ToArray()) },
            new { command = "move", path = "inbox/a.txt", to = "done/a.txt" },
            new { command = "delete", path = "done/a.txt" },
        })
        {
            using var response = await Steps.CommandAsync(client, command);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var events = await CommandEvents(EventQueues.Timestore);
        Assert.Equal(
            [("directory-created", "inbox", null), ("created", "inbox/a.txt", null), ("renamed", "done/a.txt", "inbox/a.txt"), ("deleted", "done/a.txt", null)],
            events.Select(e => (e.Kind, e.Path, e.PreviousPath)));
        Assert.True(Directory.Exists(Disk("inbox")));
        Assert.False(File.Exists(Disk("done/a.txt")));
    }

    [Fact]
    public async Task A_managed_command_that_changes_nothing_publishes_nothing_and_says_so()
    {
        var client = await Steps.IntoManagedAsync();
        Directory.CreateDirectory(Disk("already-here"));

        using var response = await Steps.CommandAsync(client, new { command = "mkdir", path = "already-here" });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unchanged", answer.GetProperty("change").GetProperty("kind").GetString());
        Assert.Equal((0, JsonValueKind.Null, JsonValueKind.Null, true),
            (answer.GetProperty("events").GetInt32(), answer.GetProperty("eventId").ValueKind, answer.GetProperty("published").ValueKind, answer.GetProperty("executed").GetBoolean()));
    }

    [Fact]
    public async Task A_move_the_policy_does_not_allow_names_both_paths_in_its_refusal()
    {
        var client = await Steps.IntoManagedAsync();
        await Steps.GrantAsync(commands: ["put"]);

        using var refused = await Steps.CommandAsync(client, new { command = "move", path = "a.txt", to = "b.txt" });

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("move 'a.txt' to 'b.txt' in billing", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_move_publishes_every_file_moved_then_the_folder_numbered_in_order()
    {
        var client = await Steps.IntoManagedAsync();
        foreach (var command in new object[]
        {
            new { command = "put", path = "docs/a.txt", text = "a" },
            new { command = "put", path = "docs/sub/b.txt", text = "b" },
        })
        {
            using var put = await Steps.CommandAsync(client, command);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var move = await Steps.CommandAsync(client, new { command = "move", path = "docs", to = "archive/docs" });
        var answer = await move.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, move.StatusCode);
        Assert.Equal(3, answer.GetProperty("events").GetInt32());
        var events = await CommandEvents(EventQueues.Metastore);
        Assert.Equal(
            [("created", "docs/a.txt", null), ("created", "docs/sub/b.txt", null), ("renamed", "archive/docs/a.txt", "docs/a.txt"),
             ("renamed", "archive/docs/sub/b.txt", "docs/sub/b.txt"), ("directory-renamed", "archive/docs", "docs")],
            events.Select(e => (e.Kind, e.Path, e.PreviousPath)));
        Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
        Assert.Equal(events.Count, events.Select(e => e.Sequence).Distinct().Count());
        Assert.Equal(events[0].Sha256, events[2].Sha256);
    }

    [Fact]
    public async Task A_retried_command_is_applied_once_and_answered_with_the_same_bytes()
    {
        var client = await Steps.IntoManagedAsync();
        var body = new { command = "put", path = "retry.txt", text = "first" };

        using var first = await Steps.CommandAsync(client, body, key: "retry-1");
        File.WriteAllText(Disk("retry.txt"), "changed by hand since");
        using var retry = await Steps.CommandAsync(client, body, key: "retry-1");

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("changed by hand since", File.ReadAllText(Disk("retry.txt")));
        Assert.Single(await CommandEvents(EventQueues.Metastore));
    }

    [Fact]
    public async Task An_idempotency_key_reused_for_another_command_is_refused()
    {
        var client = await Steps.IntoManagedAsync();
        using var first = await Steps.CommandAsync(client, new { command = "put", path = "one.txt", text = "1" }, key: "same-key");

        using var other = await Steps.CommandAsync(client, new { command = "put", path = "two.txt", text = "2" }, key: "same-key");

        await ProblemOf(other, HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.False(File.Exists(Disk("two.txt")));
    }

    [Fact]
    public async Task A_refused_command_releases_its_key_so_the_retry_runs_again()
    {
        var client = await Steps.IntoManagedAsync();
        var body = new { command = "delete", path = "later.txt" };
        using var missing = await Steps.CommandAsync(client, body, key: "delete-later");
        await ProblemOf(missing, HttpStatusCode.NotFound, "not-found");

        File.WriteAllText(Disk("later.txt"), "now it exists");
        using var retry = await Steps.CommandAsync(client, body, key: "delete-later");

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.False(File.Exists(Disk("later.txt")));
    }

    [Fact]
    public async Task A_failed_move_leaves_both_paths_as_they_were()
    {
        var client = await Steps.IntoManagedAsync();
        File.WriteAllText(Disk("from.txt"), "source");
        File.WriteAllText(Disk("to.txt"), "destination");

        using var response = await Steps.CommandAsync(client, new { command = "move", path = "from.txt", to = "to.txt" });

        await ProblemOf(response, HttpStatusCode.Conflict, "destination-exists");
        Assert.Equal(("source", "destination"), (File.ReadAllText(Disk("from.txt")), File.ReadAllText(Disk("to.txt"))));
        Assert.Empty(await CommandEvents(EventQueues.Metastore));
    }

    public static TheoryData<string, HttpStatusCode, string> BadBodies => new()
    {
        { "{not json", HttpStatusCode.BadRequest, "malformed-request" },
        { "", HttpStatusCode.BadRequest, "malformed-request" },
        { "null", HttpStatusCode.BadRequest, "malformed-request" },
        { "[]", HttpStatusCode.BadRequest, "malformed-request" },
        { """{"command":"chmod","path":"a.txt"}""", HttpStatusCode.BadRequest, "unknown-command" },
        { """{"command":"put","path":42,"text":"x"}""", HttpStatusCode.BadRequest, "malformed-request" },
        { """{"command":"put","path":"a.txt","text":["x"]}""", HttpStatusCode.BadRequest, "malformed-request" },
        { """{"command":"put","path":"a.txt","text":"x","mode":"0777"}""", HttpStatusCode.BadRequest, "malformed-request" },
        { """{"command":"put","path":"a.txt"}""", HttpStatusCode.BadRequest, "validation" },
        { """{"command":"put","path":"a.txt","text":"x","content":"eA=="}""", HttpStatusCode.BadRequest, "validation" },
        { """{"command":"put","path":"a.txt","content":"not base64!"}""", HttpStatusCode.BadRequest, "validation" },
        { """{"command":"move","path":"README.txt"}""", HttpStatusCode.BadRequest, "validation" },
        { """{"command":"delete"}""", HttpStatusCode.BadRequest, "validation" },
        { """{"path":"a.txt"}""", HttpStatusCode.BadRequest, "validation" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_a_problem_and_changes_nothing(string body, HttpStatusCode status, string type)
    {
        var client = await Steps.IntoManagedAsync();
        var before = Directory.GetFileSystemEntries(Steps.Root, "*", SearchOption.AllDirectories).Order().ToList();

        using var response = await Steps.CommandAsync(client, body);

        await ProblemOf(response, status, type);
        Assert.Equal(before, Directory.GetFileSystemEntries(Steps.Root, "*", SearchOption.AllDirectories).Order().ToList());
        Assert.Empty(await CommandEvents(EventQueues.Metastore));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_and_nothing_is_written()
    {
        var client = await Steps.IntoManagedAsync();

        using var response = await Steps.CommandAsync(client, new { command = "put", path = "big.bin", content = Convert.ToBase64String(new byte[1024 * 1024]) });

        await ProblemOf(response, HttpStatusCode.RequestEntityTooLarge, "too-large");
        Assert.False(File.Exists(Disk("big.bin")));
    }

    [Fact]
    public async Task A_command_without_an_idempotency_key_is_refused()
    {
        var client = await Steps.IntoManagedAsync();

        using var response = await client.PostAsJsonAsync($"{Steps.Route}/commands", new { command = "put", path = "a.txt", text = "x" });

        var problem = await ProblemOf(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        Assert.False(File.Exists(Disk("a.txt")));
    }

    [Fact]
    public async Task The_operator_runs_no_commands()
    {
        await Steps.IntoManagedAsync();

        using var response = await Steps.CommandAsync(Steps.Operator, new { command = "put", path = "a.txt", text = "x" });

        await ProblemOf(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.False(File.Exists(Disk("a.txt")));
    }

    [Fact]
    public async Task While_publishing_is_paused_a_managed_command_is_refused_and_nothing_is_written()
    {
        var client = await Steps.IntoManagedAsync();
        await Steps.PublishingAsync(false);

        using var response = await Steps.CommandAsync(client, new { command = "put", path = "paused.txt", text = "x" });

        await ProblemOf(response, HttpStatusCode.ServiceUnavailable, "publishing-paused");
        Assert.False(File.Exists(Disk("paused.txt")));
    }

    [Fact]
    public async Task An_event_that_cannot_be_published_waits_in_the_outbox_and_follows_when_the_queues_take_it()
    {
        var client = await Steps.IntoManagedAsync();
        // A rollback drain elsewhere refuses new jobs; the command's change is made, its event must not be lost.
        await Redis.Db.HashSetAsync("bull:metastore-events:meta", "sandbox:draining", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds());

        using var response = await Steps.CommandAsync(client, new { command = "put", path = "during-drain.txt", text = "x" });
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(accepted.GetProperty("published").GetBoolean());
        Assert.True(File.Exists(Disk("during-drain.txt")));
        Assert.Empty(await CommandEvents(EventQueues.Timestore));

        await Redis.Db.HashDeleteAsync("bull:metastore-events:meta", "sandbox:draining");
        foreach (var queue in EventQueues.All)
        {
            await Eventually.Until(() => CommandEvents(queue), e => e.Any(x => x.EventId == accepted.GetProperty("eventId").GetString()), what: $"the outbox event in {queue}");
        }
    }

    [Fact]
    public async Task The_watcher_does_not_report_Filestores_own_changes_but_reports_everything_else()
    {
        var client = await Steps.IntoManagedAsync();

        using var put = await Steps.CommandAsync(client, new { command = "put", path = "own/by-filestore.txt", text = "via the API" });
        using var move = await Steps.CommandAsync(client, new { command = "move", path = "README.txt", to = "own/README.txt" });
        // Rewritten faster than the watcher scans: whichever version a scan catches was announced.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var rewrite = await Steps.CommandAsync(client, new { command = "put", path = $"own/rapid-{i % 4}.txt", text = $"version {i}" });
            Assert.Equal(HttpStatusCode.OK, rewrite.StatusCode);
        }));
        Directory.CreateDirectory(Disk("other"));
        File.WriteAllText(Disk("other/by-hand.txt"), "out of band");

        async Task<List<FilestoreEvent>> Drift() =>
            (await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore)).Where(e => e.Source == EventSources.Drift).ToList();
        await Eventually.Until(Drift, e => e.Any(d => d.Path == "other/by-hand.txt"), what: "the out-of-band drift");
        // A later out-of-band marker: once it is reported, every scan since the commands has been published.
        File.WriteAllText(Disk("other/marker.txt"), "later");
        var drift = await Eventually.Until(Drift, e => e.Any(d => d.Path == "other/marker.txt"), what: "the marker's drift");

        Assert.Equal([("created", "other/by-hand.txt"), ("created", "other/marker.txt")], drift.Select(e => (e.Kind, e.Path)));
    }

    [Fact]
    public async Task Commands_are_counted_by_outcome_and_mode_and_timed()
    {
        var client = await Steps.IntoManagedAsync();
        using var ok = await Steps.CommandAsync(client, new { command = "put", path = "counted.txt", text = "x" });
        using var rejected = await Steps.CommandAsync(client, new { command = "delete", path = "missing.txt" });

        await Scrape.UntilAsync(App, "filestore_commands_total", 1, ("command", "put"), ("outcome", "success"), ("mode", "managed"), ("service", "billing"));
        await Scrape.UntilAsync(App, "filestore_commands_total", 1, ("command", "delete"), ("outcome", "rejected"), ("mode", "managed"));
        await Scrape.UntilAsync(App, "filestore_commands_total", 3, ("command", "mkdir"), ("outcome", "success"), ("mode", "shadow"));
        await Scrape.UntilAsync(App, "filestore_command_duration_seconds_count", 1, ("command", "put"), ("outcome", "success"), ("env", "staging"));
    }
}
