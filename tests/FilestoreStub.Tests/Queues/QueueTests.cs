using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BullMq;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Queues;

/// <summary>The event queues as operators see and pause them, and the audit that says who paused one and why.</summary>
[Collection(RedisCollection.Name)]
public sealed class QueueTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private static FilestoreEvent NewEvent(string path) =>
        new($"cmd-{Guid.NewGuid():N}", "staging", "billing", path, EventKinds.Created, EventSources.Command,
            1_800_000_000_000, "corr-queues", 1_800_000_000_000_000, Size: 1, Sha256: new string('c', 64));

    private static Task<HttpResponseMessage> SetPausedAsync(HttpClient client, string queue, object body, string? correlationId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/queues/{queue}/paused") { Content = JsonContent.Create(body) };
        if (correlationId is not null)
        {
            request.Headers.Add("X-Correlation-Id", correlationId);
        }

        return client.SendAsync(request);
    }

    private async Task<bool> PausedInRedisAsync(string queue) => await Redis.Db.HashExistsAsync(new QueueKeys(queue).Meta, "paused");

    private async Task<List<JsonElement>> AuditAsync(int? count = null) =>
        (await App.Operator().GetFromJsonAsync<JsonElement>($"/queues/audit{(count is null ? string.Empty : $"?count={count}")}")).EnumerateArray().ToList();

    private static (string?, string?, string?, string?, string?) Described(JsonElement entry) =>
        (entry.GetProperty("queue").GetString(), entry.GetProperty("action").GetString(), entry.GetProperty("by").GetString(),
         entry.GetProperty("reason").GetString(), entry.GetProperty("correlationId").GetString());

    [Fact]
    public async Task Both_event_queues_are_listed_with_paused_job_counts_and_the_age_of_the_oldest_waiting_job()
    {
        var publisher = App.Services.GetRequiredService<EventPublisher>();
        await publisher.PublishAsync(NewEvent("one.txt"));
        await publisher.PublishAsync(NewEvent("two.txt"));
        App.Clock.Advance(TimeSpan.FromSeconds(90));

        var queues = (await App.Operator().GetFromJsonAsync<JsonElement>("/queues")).EnumerateArray().ToList();

        Assert.Equal(EventQueues.All, queues.Select(q => q.GetProperty("queue").GetString()));
        foreach (var queue in queues)
        {
            Assert.False(queue.GetProperty("paused").GetBoolean());
            var counts = queue.GetProperty("counts");
            Assert.Equal(JobStates.Counted.Order(), counts.EnumerateObject().Select(c => c.Name).Order());
            Assert.Equal((2, 0, 0), (counts.GetProperty("waiting").GetInt64(), counts.GetProperty("active").GetInt64(), counts.GetProperty("failed").GetInt64()));
            Assert.Equal(90, queue.GetProperty("oldestWaitingAgeSeconds").GetDouble());
        }
    }

    [Fact]
    public async Task A_pause_and_a_resume_are_bullmqs_own_and_the_audit_names_who_did_each_and_why_newest_first()
    {
        using var dana = await Steps.NamedOperatorAsync("dana");

        using var paused = await SetPausedAsync(dana, EventQueues.Metastore, new { paused = true, reason = "metastore consumer deploy" }, "corr-pause");

        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.True((await paused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paused").GetBoolean());
        Assert.Equal((true, false), (await PausedInRedisAsync(EventQueues.Metastore), await PausedInRedisAsync(EventQueues.Timestore)));
        var listed = (await App.Operator().GetFromJsonAsync<JsonElement>("/queues")).EnumerateArray().ToList();
        Assert.Equal([true, false], listed.Select(q => q.GetProperty("paused").GetBoolean()));

        using var resumed = await SetPausedAsync(dana, EventQueues.Metastore, new { paused = false }, "corr-resume");

        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.False(await PausedInRedisAsync(EventQueues.Metastore));
        var audit = await AuditAsync();
        Assert.Equal(
            [(EventQueues.Metastore, "resumed", "dana", null, "corr-resume"), (EventQueues.Metastore, "paused", "dana", "metastore consumer deploy", "corr-pause")],
            audit.Select(Described));
        Assert.Single(await AuditAsync(count: 1));
    }

    [Fact]
    public async Task A_pause_without_a_reason_is_refused_and_changes_nothing()
    {
        using var noReason = await SetPausedAsync(App.Operator(), EventQueues.Timestore, new { paused = true });
        using var blank = await SetPausedAsync(App.Operator(), EventQueues.Timestore, new { paused = true, reason = "  " });
        using var noChoice = await SetPausedAsync(App.Operator(), EventQueues.Timestore, new { reason = "which way?" });

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest], new[] { noReason.StatusCode, blank.StatusCode, noChoice.StatusCode });
        Assert.True((await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.True((await noChoice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("paused", out _));
        Assert.False(await PausedInRedisAsync(EventQueues.Timestore));
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task A_queue_a_rollback_is_draining_cannot_be_resumed_or_paused_by_hand()
    {
        // The drain's own mark on the queue (its pause comes and goes between export and removal).
        await Redis.Db.HashSetAsync(new QueueKeys(EventQueues.Metastore).Meta, [new("sandbox:draining", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()), new("paused", 1)]);

        using var resume = await SetPausedAsync(App.Operator(), EventQueues.Metastore, new { paused = false });
        using var pause = await SetPausedAsync(App.Operator(), EventQueues.Metastore, new { paused = true, reason = "by hand" });

        Assert.Equal([HttpStatusCode.Conflict, HttpStatusCode.Conflict], new[] { resume.StatusCode, pause.StatusCode });
        Assert.EndsWith("/queue-draining", (await resume.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.True(await PausedInRedisAsync(EventQueues.Metastore));
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task A_queue_that_is_not_an_event_queue_is_a_404()
    {
        using var response = await SetPausedAsync(App.Operator(), "bull-other", new { paused = true, reason = "testing" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/unknown-queue", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task A_rollback_drain_is_audited_per_queue_as_the_principal_who_ran_the_rollback()
    {
        await Steps.IntoManagedAsync();
        using var carol = await Steps.NamedOperatorAsync("carol");

        using var rollback = await carol.PostAsJsonAsync($"{Steps.Route}/cutover", new { to = "manual" });

        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        var correlationId = rollback.Headers.GetValues("X-Correlation-Id").Single();
        var reason = "rollback of staging/billing";
        Assert.Equal(
            [
                (EventQueues.Timestore, "drain-finished", "carol", reason, correlationId),
                (EventQueues.Timestore, "drain-started", "carol", reason, correlationId),
                (EventQueues.Metastore, "drain-finished", "carol", reason, correlationId),
                (EventQueues.Metastore, "drain-started", "carol", reason, correlationId),
            ],
            (await AuditAsync()).Select(Described));
        Assert.Equal((false, false), (await PausedInRedisAsync(EventQueues.Metastore), await PausedInRedisAsync(EventQueues.Timestore)));
    }
}
