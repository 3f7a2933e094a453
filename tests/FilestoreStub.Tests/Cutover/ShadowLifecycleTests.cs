using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Cutover;

/// <summary>A shadow run from start to end: abandoned, begun again from nothing, and judged by what the service wrote unannounced.</summary>
[Collection(RedisCollection.Name)]
public sealed class ShadowLifecycleTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private async Task PlanAsync(HttpClient client, object command)
    {
        using var response = await Steps.CommandAsync(client, command);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<string>> FailedGatesToManagedAsync()
    {
        using var response = await Steps.TransitionAsync("managed");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        return problem.GetProperty("failedGates").EnumerateArray().Select(g => g.GetProperty("name").GetString()!).ToList();
    }

    // What the state view says about the step to managed: ready or not, and each gate.
    // The service's own write, whole at once: a scan that caught a half-written file would see two changes, not one.
    private void WriteAtomically(string path, string text)
    {
        var staged = Path.Combine(Path.GetDirectoryName(Steps.Root)!, $".staged-{Guid.NewGuid():N}");
        File.WriteAllText(staged, text);
        File.Move(staged, Path.Combine(Steps.Root, path));
    }

    private static JsonElement ToManaged(JsonElement state) =>
        state.GetProperty("next").EnumerateArray().Single(n => n.GetProperty("to").GetString() == "managed");

    private static (long, long, long, long, long, long) Stats(JsonElement state)
    {
        var shadow = state.GetProperty("shadow");
        return (shadow.GetProperty("success").GetInt64(), shadow.GetProperty("failed").GetInt64(), shadow.GetProperty("rejected").GetInt64(),
            shadow.GetProperty("matched").GetInt64(), shadow.GetProperty("mismatched").GetInt64(), shadow.GetProperty("unplanned").GetInt64());
    }

    [Fact]
    public async Task Abandoning_shadow_returns_to_manual_without_a_drain_clears_the_approval_and_refuses_commands_again()
    {
        var client = await Steps.IntoShadowAsync();
        await PlanAsync(client, new { command = "put", path = "planned.txt", text = "x" });
        await Steps.ApproveAsync();
        var before = Directory.GetFileSystemEntries(Steps.Root, "*", SearchOption.AllDirectories).Order().ToList();
        var waiting = await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore);

        using var abandoned = await Steps.TransitionAsync("manual");

        var outcome = await abandoned.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, abandoned.StatusCode);
        Assert.Equal(("switched", "shadow", "manual"), (outcome.GetProperty("outcome").GetString(), outcome.GetProperty("from").GetString(), outcome.GetProperty("to").GetString()));
        // Shadow published nothing of its own, so there is nothing to drain: no rollback steps, no export, the queues as they were.
        Assert.Empty(outcome.GetProperty("steps").EnumerateArray());
        Assert.False(Directory.Exists(Path.Combine(App.DataDirectory, "exports")));
        Assert.Equal(waiting, await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore));
        var state = await Steps.StateAsync();
        Assert.Equal(("manual", JsonValueKind.Null, true, false),
            (state.GetProperty("mode").GetString(), state.GetProperty("approval").ValueKind, state.GetProperty("watcherEnabled").GetBoolean(),
             state.GetProperty("publishingPaused").GetBoolean()));
        Assert.Equal(before, Directory.GetFileSystemEntries(Steps.Root, "*", SearchOption.AllDirectories).Order().ToList());
        var audit = (await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/audit"))[0];
        Assert.Equal(("shadow", "manual", "switched"), (audit.GetProperty("from").GetString(), audit.GetProperty("to").GetString(), audit.GetProperty("outcome").GetString()));

        using var refused = await Steps.CommandAsync(client, new { command = "put", path = "after.txt", text = "x" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.EndsWith("/not-cut-over", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entering_shadow_again_starts_from_an_empty_ledger_and_no_approval()
    {
        var client = await Steps.IntoShadowAsync();
        for (var i = 0; i < 3; i++)
        {
            await PlanAsync(client, new { command = "put", path = $"first-run-{i}.txt", text = $"planned {i}" });
        }

        await Steps.ApproveAsync();
        Assert.True(ToManaged(await Steps.StateAsync()).GetProperty("ready").GetBoolean());
        await Steps.MoveToAsync("manual");

        await Steps.MoveToAsync("shadow");

        var state = await Steps.StateAsync();
        Assert.Equal((0L, 0L, 0L, 0L, 0L, 0L), Stats(state));
        Assert.Equal(JsonValueKind.Null, state.GetProperty("approval").ValueKind);
        Assert.Empty((await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/shadow/plans")).EnumerateArray());
        Assert.Equal(["shadow-commands", "shadow-success-rate", "approval"], await FailedGatesToManagedAsync());

        // A plan of the first run is forgotten too: the service writing exactly that now is a change no plan of this run predicted.
        WriteAtomically("first-run-0.txt", "planned 0");
        state = await Eventually.Until(Steps.StateAsync, s => Stats(s) != (0L, 0L, 0L, 0L, 0L, 0L), what: "the change compared with the plans");
        Assert.Equal((0L, 0L, 0L, 0L, 0L, 1L), Stats(state));
    }

    [Fact]
    public async Task A_change_the_service_made_without_a_plan_fails_the_plan_match_gate_even_when_every_planned_change_matched()
    {
        var client = await Steps.IntoShadowAsync();
        for (var i = 0; i < 3; i++)
        {
            await PlanAsync(client, new { command = "put", path = $"announced-{i}.txt", text = $"planned {i}" });
            WriteAtomically($"announced-{i}.txt", $"planned {i}");
        }

        await Eventually.Until(Steps.StateAsync, s => Stats(s).Item4 == 3, what: "three planned changes matched");
        await Steps.ApproveAsync();
        Assert.True(ToManaged(await Steps.StateAsync()).GetProperty("ready").GetBoolean());

        // The service writes a file it never told Filestore about.
        WriteAtomically("unannounced.txt", "written behind Filestore's back");
        var state = await Eventually.Until(Steps.StateAsync, s => Stats(s).Item6 == 1, what: "the unplanned change counted");

        Assert.Equal((3L, 0L, 0L, 3L, 0L, 1L), Stats(state));
        Assert.Equal(["shadow-plans-match"], await FailedGatesToManagedAsync());
        var gate = ToManaged(state).GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "shadow-plans-match");
        Assert.Contains("1 unplanned", gate.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("shadow", (await Steps.StateAsync()).GetProperty("mode").GetString());
    }
}
