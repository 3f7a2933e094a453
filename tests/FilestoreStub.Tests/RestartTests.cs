using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests;

/// <summary>A restarted stub (a new process on the same Redis and data folder) carries on where the old one stopped.</summary>
[Collection(RedisCollection.Name)]
public sealed class RestartTests(RedisServer redis) : FilestoreTest(redis)
{
    [Fact]
    public async Task Modes_policies_tokens_idempotency_records_watchers_publishing_and_faults_survive_a_restart()
    {
        var steps = new CutoverSteps(App);
        var client = await steps.IntoManagedAsync();
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        using var put = await steps.CommandAsync(client, new { command = "put", path = "before-restart.txt", text = "once" }, key: "across-restart");
        var answer = await put.Content.ReadAsStringAsync();
        await new CutoverSteps(App, service: "reports").PublishingAsync(false);
        using var drill = await steps.Operator.PutAsJsonAsync("/faults", new { addedLatencyMs = 1 });
        Assert.Equal(HttpStatusCode.OK, drill.StatusCode);
        // The first instance stops before the second starts: nothing it keeps in memory, and none of its watchers or
        // relays, can stand in for what the restarted one must read back from Redis and disk.
        await App.StopAsync();

        await using var restarted = new FilestoreApp(Redis, App.DataDirectory);
        var again = new CutoverSteps(restarted);
        var state = await again.StateAsync();
        File.WriteAllText(Path.Combine(again.Root, "before-restart.txt"), "edited after the first run");
        using var retry = await again.CommandAsync(restarted.ClientWith(token), new { command = "put", path = "before-restart.txt", text = "once" }, key: "across-restart");
        var policy = await again.Operator.GetFromJsonAsync<JsonElement>("/envs/staging/policy");
        var reports = await new CutoverSteps(restarted, service: "reports").StateAsync();
        var faults = await again.Operator.GetFromJsonAsync<JsonElement>("/faults");

        Assert.Equal(("managed", true, false), (state.GetProperty("mode").GetString(), state.GetProperty("watcherEnabled").GetBoolean(), state.GetProperty("publishingPaused").GetBoolean()));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(answer, await retry.Content.ReadAsStringAsync());
        Assert.Equal("edited after the first run", File.ReadAllText(Path.Combine(again.Root, "before-restart.txt")));
        Assert.Single(await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore), e => e.Source == EventSources.Command);
        Assert.Equal(CutoverSteps.Principal, policy.GetProperty("rules")[0].GetProperty("principal").GetString());
        Assert.True(reports.GetProperty("publishingPaused").GetBoolean());
        Assert.Equal(1, faults.GetProperty("addedLatencyMs").GetInt32());
        await Scrape.UntilAsync(restarted, "filestore_cutover_mode", 1, ("env", "staging"), ("service", "billing"), ("mode", "managed"));
    }
}
