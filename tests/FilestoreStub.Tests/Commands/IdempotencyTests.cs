using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Commands;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Commands;

/// <summary>Idempotency keys beyond the plain retry: a key still in use, keys of different principals, a retry after Redis was away.</summary>
[Collection(RedisCollection.Name)]
public sealed class IdempotencyTests(RedisServer redis) : FilestoreTest(redis)
{
    private static readonly string[] PutOnly = ["put"];
    private static readonly string[] WholeRoot = ["*"];

    private static async Task<List<FilestoreEvent>> CommandEventsAsync(RedisServer redis) =>
        (await QueuedEvents.WaitingAsync(redis, EventQueues.Metastore)).Where(e => e.Source == EventSources.Command).ToList();

    private static async Task<string> ProblemTypeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString()!;

    [Fact]
    public async Task A_retry_while_the_first_request_still_runs_is_409_in_progress_and_afterwards_gets_the_first_answer()
    {
        var steps = new CutoverSteps(App);
        var client = await steps.IntoManagedAsync();
        var body = new { command = "put", path = "held.txt", text = "once" };
        // Holding the path's lock keeps the first request between claiming its key and executing.
        var prepared = App.Services.GetRequiredService<FileCommands>().Prepare("staging", "billing", new FileCommand("put", "held.txt", Content: [1]));
        var held = await App.Services.GetRequiredService<PathLocks>().AcquireAsync(prepared, CancellationToken.None);
        var first = steps.CommandAsync(client, body, key: "slow-1");
        var claim = IdempotencyStore.Key("staging", "billing", CutoverSteps.Principal, "slow-1");
        await Eventually.Until(() => Redis.Db.KeyExistsAsync(claim), exists => exists, what: "the first request's claim on its key");

        using var during = await steps.CommandAsync(client, body, key: "slow-1");

        Assert.Equal(HttpStatusCode.Conflict, during.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/idempotency-in-progress", await ProblemTypeAsync(during));
        Assert.False(File.Exists(Path.Combine(steps.Root, "held.txt")));
        Assert.False(first.IsCompleted);

        held.Dispose();
        using var finished = await first;
        using var after = await steps.CommandAsync(client, body, key: "slow-1");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (finished.StatusCode, after.StatusCode));
        Assert.Equal(await finished.Content.ReadAsStringAsync(), await after.Content.ReadAsStringAsync());
        Assert.Equal("true", after.Headers.GetValues(ReplayedAnswer.Header).Single());
        Assert.Single(await CommandEventsAsync(Redis));
    }

    [Fact]
    public async Task The_same_key_from_two_principals_runs_two_commands_and_neither_gets_the_others_answer()
    {
        var steps = new CutoverSteps(App);
        var billing = await steps.IntoManagedAsync();
        var rules = new[]
        {
            new { principal = CutoverSteps.Principal, service = "billing", commands = PutOnly, prefixes = WholeRoot },
            new { principal = "billing-batch", service = "billing", commands = PutOnly, prefixes = WholeRoot },
        };
        using (var policy = await steps.Operator.PutAsJsonAsync("/envs/staging/policy", new { rules }))
        {
            Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        }

        using var batch = App.ClientWith(await steps.IssueTokenAsync("billing-batch"));
        var body = new { command = "put", path = "shared.txt", text = "same bytes" };

        using var fromBilling = await steps.CommandAsync(billing, body, key: "shared-key");
        using var fromBatch = await steps.CommandAsync(batch, body, key: "shared-key");
        using var batchRetry = await steps.CommandAsync(batch, body, key: "shared-key");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { fromBilling.StatusCode, fromBatch.StatusCode, batchRetry.StatusCode });
        Assert.False(fromBatch.Headers.Contains(ReplayedAnswer.Header));
        var (billingAnswer, batchAnswer) = (await fromBilling.Content.ReadFromJsonAsync<JsonElement>(), await fromBatch.Content.ReadFromJsonAsync<JsonElement>());
        // The second ran against the file the first wrote: it is a command of its own, not a copy of the first's answer.
        Assert.Equal(("created", "modified"),
            (billingAnswer.GetProperty("change").GetProperty("kind").GetString(), batchAnswer.GetProperty("change").GetProperty("kind").GetString()));
        Assert.Equal(
            [billingAnswer.GetProperty("commandId").GetString(), batchAnswer.GetProperty("commandId").GetString()],
            (await CommandEventsAsync(Redis)).Select(e => e.CommandId));
        // Each principal's key replays that principal's answer.
        Assert.Equal(await fromBatch.Content.ReadAsStringAsync(), await batchRetry.Content.ReadAsStringAsync());
        Assert.Equal("true", batchRetry.Headers.GetValues(ReplayedAnswer.Header).Single());
    }

    [Fact]
    public async Task A_command_that_failed_while_redis_was_away_succeeds_when_retried_with_its_key_and_is_applied_once()
    {
        // A server of its own: this test stops it, and the collection's server must stay up for the others.
        var isolated = new RedisServer();
        await isolated.InitializeAsync();
        try
        {
            await using var app = new FilestoreApp(isolated);
            var steps = new CutoverSteps(app);
            var client = await steps.IntoManagedAsync();
            var body = new { command = "put", path = "during-outage.txt", text = "written once" };

            await isolated.ShutdownAsync();
            using var failed = await steps.CommandAsync(client, body, key: "outage-1");

            Assert.True((int)failed.StatusCode >= 500, $"{failed.StatusCode}: {await failed.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
            Assert.False(File.Exists(Path.Combine(steps.Root, "during-outage.txt")));

            await isolated.StartAgainAsync();
            // Both of the stub's connections (its own and the queues') are back once a read through each succeeds.
            await Eventually.Until(() => steps.Operator.GetAsync($"{steps.Route}/cutover/audit"), r => r.IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the stub's Redis connection back");
            await Eventually.Until(() => steps.Operator.GetAsync("/queues"), r => r.IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the queues' Redis connection back");
            using var retry = await steps.CommandAsync(client, body, key: "outage-1");
            using var again = await steps.CommandAsync(client, body, key: "outage-1");

            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.False(retry.Headers.Contains(ReplayedAnswer.Header));
            Assert.Equal("written once", File.ReadAllText(Path.Combine(steps.Root, "during-outage.txt")));
            Assert.Equal(await retry.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
            Assert.Equal("true", again.Headers.GetValues(ReplayedAnswer.Header).Single());
            foreach (var queue in EventQueues.All)
            {
                Assert.Single(await QueuedEvents.WaitingAsync(isolated, queue), e => e.Source == EventSources.Command);
            }
        }
        finally
        {
            await isolated.DisposeAsync();
        }
    }
}
