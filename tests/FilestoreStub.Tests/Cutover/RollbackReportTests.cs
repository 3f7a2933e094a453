using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Cutover;

/// <summary>What a rollback reports, step by step, and what it leaves behind: the exports and the audit.</summary>
[Collection(RedisCollection.Name)]
public sealed class RollbackReportTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private static List<(string Name, string Outcome, string Detail)> StepsOf(JsonElement element) =>
        element.GetProperty("steps").EnumerateArray()
            .Select(s => (s.GetProperty("name").GetString()!, s.GetProperty("outcome").GetString()!, s.GetProperty("detail").GetString()!)).ToList();

    // The stub under test drains with a deadline of zero and no consumer runs: every waiting event is exported.
    [Fact]
    public async Task A_rollback_reports_each_step_and_names_its_exports_by_service_time_and_queue()
    {
        var client = await Steps.IntoManagedAsync();
        using (var put = await Steps.CommandAsync(client, new { command = "put", path = "a.txt", text = "x" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var waiting = new Dictionary<string, int>();
        foreach (var queue in EventQueues.All)
        {
            waiting[queue] = (await QueuedEvents.WaitingAsync(Redis, queue)).Count;
        }

        var stamp = App.Clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var exports = Path.Combine(App.DataDirectory, "exports");

        using var response = await Steps.TransitionAsync("manual");
        var steps = StepsOf(await response.Content.ReadFromJsonAsync<JsonElement>());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("disable-watcher", "done", "The drift watcher is off."), steps[0]);
        Assert.Equal(("stop-publishing", "done", "Publishing of the service's events is paused."), steps[1]);
        Assert.Equal(("switch-to-manual", "done", "The service is in manual mode: it writes to disk itself again."), steps[3]);
        var drain = steps[2].Detail;
        foreach (var queue in EventQueues.All)
        {
            var file = Path.Combine(exports, $"staging-billing-{stamp}-{queue}.jsonl");
            Assert.True(File.Exists(file), file);
            Assert.True(drain.Contains($"{queue}: 0 processed, {waiting[queue]} exported to {file}, 0 still active, deadline reached", StringComparison.Ordinal), drain);

        }

        Assert.EndsWith(".", drain, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(exports).Length);
    }

    [Fact]
    public async Task After_a_failed_step_the_rest_are_skipped_and_said_so_and_the_audit_keeps_the_failure()
    {
        await Steps.IntoManagedAsync();
        File.WriteAllText(Path.Combine(App.DataDirectory, "exports"), "in the way");

        using var response = await Steps.TransitionAsync("manual");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        var steps = StepsOf(problem);
        Assert.Equal(("switch-to-manual", "skipped", "Not run: an earlier step failed."), steps[3]);
        Assert.Equal("failed", steps[2].Outcome);
        Assert.Equal($"drain-queues: {steps[2].Detail}. The mode stays managed; fix the cause and roll back again.", problem.GetProperty("detail").GetString());
        var audit = (await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/audit"))[0];
        Assert.Equal(problem.GetProperty("auditId").GetString(), audit.GetProperty("id").GetString());
        Assert.Equal(("managed", "manual", "failed"), (audit.GetProperty("from").GetString(), audit.GetProperty("to").GetString(), audit.GetProperty("outcome").GetString()));
        Assert.Equal(["done", "done", "failed", "skipped"], audit.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task A_refused_transition_names_its_failed_gates_in_the_detail_and_links_its_audit_entry()
    {
        await Steps.GrantAsync();

        using var response = await Steps.TransitionAsync("shadow");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("manual -> shadow refused; failed gates: token, seeded, watcher.", problem.GetProperty("detail").GetString());
        Assert.Equal(5, problem.GetProperty("gates").GetArrayLength());
        var audit = (await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/audit"))[0];
        Assert.Equal(problem.GetProperty("auditId").GetString(), audit.GetProperty("id").GetString());
        Assert.Equal("operator", audit.GetProperty("by").GetString());
    }

    [Fact]
    public async Task The_audit_lists_the_newest_entries_first_as_many_as_asked()
    {
        for (var i = 0; i < 3; i++)
        {
            using var refused = await Steps.TransitionAsync("shadow");
        }

        await Steps.GrantAsync();
        using (await Steps.TransitionAsync("shadow"))
        {
        }

        var two = await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/audit?count=2");
        var all = await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/audit");

        Assert.Equal(2, two.GetArrayLength());
        Assert.Equal(4, all.GetArrayLength());
        Assert.True(all[0].GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "policy").GetProperty("passed").GetBoolean());
        Assert.False(all[3].GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "policy").GetProperty("passed").GetBoolean());
    }
}
