using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Cutover;

/// <summary>The cutover state machine through the API: every gate refuses when its precondition is missing.</summary>
[Collection(RedisCollection.Name)]
public sealed class CutoverTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private static async Task<List<string>> FailedGates(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("https://filestore.sandbox/problems/cutover-gates-failed", problem.GetProperty("type").GetString());
        return problem.GetProperty("failedGates").EnumerateArray().Select(g => g.GetProperty("name").GetString()!).ToList();
    }

    private async Task<string> ModeAsync() => (await Steps.StateAsync()).GetProperty("mode").GetString()!;

    [Fact]
    public async Task Manual_to_shadow_names_every_missing_gate_until_each_is_met()
    {
        Assert.Equal(["policy", "token", "seeded", "watcher"], await FailedGates(await Steps.TransitionAsync("shadow")));

        await Steps.GrantAsync();
        Assert.Equal(["token", "seeded", "watcher"], await FailedGates(await Steps.TransitionAsync("shadow")));

        await Steps.IssueTokenAsync();
        Assert.Equal(["seeded", "watcher"], await FailedGates(await Steps.TransitionAsync("shadow")));

        await Steps.SeedAsync();
        Assert.Equal(["watcher"], await FailedGates(await Steps.TransitionAsync("shadow")));

        await Steps.WatcherAsync(true);
        await Steps.PublishingAsync(false);
        Assert.Equal(["publishing"], await FailedGates(await Steps.TransitionAsync("shadow")));

        await Steps.PublishingAsync(true);
        await Steps.MoveToAsync("shadow");
        Assert.Equal("shadow", await ModeAsync());
    }

    [Fact]
    public async Task A_token_of_a_principal_the_policy_does_not_name_or_a_revoked_one_does_not_open_the_token_gate()
    {
        await Steps.GrantAsync();
        await Steps.IssueTokenAsync("someone-else");
        await Steps.SeedAsync();
        await Steps.WatcherAsync(true);
        Assert.Equal(["token"], await FailedGates(await Steps.TransitionAsync("shadow")));

        await Steps.IssueTokenAsync();
        using var revoke = await Steps.Operator.PostAsJsonAsync("/access/tokens/revoke", new { principal = CutoverSteps.Principal });
        Assert.Equal(["token"], await FailedGates(await Steps.TransitionAsync("shadow")));
    }

    [Fact]
    public async Task Shadow_to_managed_needs_enough_successful_shadow_commands_and_an_approval()
    {
        var client = await Steps.IntoShadowAsync();
        Assert.Equal(["shadow-commands", "shadow-success-rate", "approval"], await FailedGates(await Steps.TransitionAsync("managed")));

        using (var faults = await Steps.Operator.PutAsJsonAsync("/faults", new { commandFailureRate = 1.0 }))
        {
            Assert.Equal(HttpStatusCode.OK, faults.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            using var failed = await Steps.CommandAsync(client, new { command = "mkdir", path = $"planned-{i}" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        await Steps.ApproveAsync();
        Assert.Equal(["shadow-success-rate"], await FailedGates(await Steps.TransitionAsync("managed")));
        Assert.Equal("shadow", await ModeAsync());
    }

    [Fact]
    public async Task A_change_on_disk_that_contradicts_its_shadow_plan_blocks_managed()
    {
        var client = await Steps.IntoShadowAsync();
        for (var i = 0; i < 3; i++)
        {
            using var planned = await Steps.CommandAsync(client, new { command = "put", path = $"reports/r{i}.csv", text = $"planned {i}" });
            Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        }

        // The service writes what it told Filestore for two paths, and something else for the third.
        Directory.CreateDirectory(Path.Combine(Steps.Root, "reports"));
        File.WriteAllText(Path.Combine(Steps.Root, "reports", "r0.csv"), "planned 0");
        File.WriteAllText(Path.Combine(Steps.Root, "reports", "r1.csv"), "planned 1");
        File.WriteAllText(Path.Combine(Steps.Root, "reports", "r2.csv"), "not what was planned");
        await Eventually.Until(async () => (await Steps.StateAsync()).GetProperty("shadow"),
            s => s.GetProperty("matched").GetInt32() + s.GetProperty("mismatched").GetInt32() == 3, what: "three compared changes");
        await Steps.ApproveAsync();

        Assert.Equal(["shadow-plans-match"], await FailedGates(await Steps.TransitionAsync("managed")));
    }

    [Fact]
    public async Task The_whole_way_to_managed_and_back_is_audited_and_shown_by_the_mode_gauge()
    {
        await Steps.IntoManagedAsync();
        await Scrape.UntilAsync(App, "filestore_cutover_mode", 1, ("env", "staging"), ("service", "billing"), ("mode", "managed"));
        Assert.Equal(0, await Scrape.ValueAsync(App, "filestore_cutover_mode", ("env", "staging"), ("service", "billing"), ("mode", "manual")));

        await Steps.MoveToAsync("manual");

        var audit = await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/audit");
        Assert.Equal([("managed", "manual", "switched"), ("shadow", "managed", "switched"), ("manual", "shadow", "switched")],
            audit.EnumerateArray().Select(e => (e.GetProperty("from").GetString(), e.GetProperty("to").GetString(), e.GetProperty("outcome").GetString())));
        var promotion = audit[1];
        Assert.Equal("operator", promotion.GetProperty("by").GetString());
        Assert.Equal(["shadow-commands", "shadow-success-rate", "shadow-plans-match", "approval", "watcher", "publishing"],
            promotion.GetProperty("gates").EnumerateArray().Select(g => g.GetProperty("name").GetString()));
        await Scrape.UntilAsync(App, "filestore_cutover_mode", 1, ("env", "staging"), ("service", "billing"), ("mode", "manual"));
    }

    [Fact]
    public async Task Every_switch_counts_once_in_a_transition_series_that_starts_at_zero_and_a_refusal_counts_nothing()
    {
        const string Transitions = "filestore_cutover_transitions_total";
        var metrics = await App.CreateClient().GetStringAsync("/metrics");
        Assert.Matches($"{Transitions}\\{{(?=[^}}]*env=\"production\")(?=[^}}]*service=\"billing\")(?=[^}}]*from=\"managed\")[^}}]*to=\"manual\"[^}}]*\\}} 0", metrics);

        using (var refused = await Steps.TransitionAsync("shadow"))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }

        await Steps.IntoManagedAsync();
        await Steps.MoveToAsync("manual");

        await Scrape.UntilAsync(App, Transitions, 1, ("env", "staging"), ("service", "billing"), ("from", "managed"), ("to", "manual"));
        var counted = new List<double>();
        foreach (var (from, to) in new[] { ("manual", "shadow"), ("shadow", "managed"), ("managed", "manual"), ("shadow", "manual") })
        {
            counted.Add(await Scrape.ValueAsync(App, Transitions, ("env", "staging"), ("service", "billing"), ("from", from), ("to", to)));
        }

        Assert.Equal([1, 1, 1, 0], counted);
    }

    [Fact]
    public async Task A_refused_transition_is_audited_too()
    {
        using var refused = await Steps.TransitionAsync("shadow");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        var audit = await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/audit");

        var entry = Assert.Single(audit.EnumerateArray());
        Assert.Equal(("manual", "shadow", "refused"), (entry.GetProperty("from").GetString(), entry.GetProperty("to").GetString(), entry.GetProperty("outcome").GetString()));
        Assert.Contains(entry.GetProperty("gates").EnumerateArray(), g => g.GetProperty("name").GetString() == "policy" && !g.GetProperty("passed").GetBoolean());
    }

    [Theory]
    [InlineData("managed")]
    [InlineData("manual")]
    public async Task A_transition_the_machine_does_not_have_is_refused(string to)
    {
        using var response = await Steps.TransitionAsync(to);

        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/transition-not-allowed", problem.GetProperty("type").GetString());
        Assert.Equal("manual", await ModeAsync());
    }

    [Fact]
    public async Task An_approval_outside_shadow_is_refused()
    {
        using var approver = await Steps.NamedOperatorAsync();

        using var response = await approver.PostAsJsonAsync($"{Steps.Route}/cutover/approval", new { note = "too early" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/not-in-shadow", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, (await Steps.StateAsync()).GetProperty("approval").ValueKind);
    }

    [Fact]
    public async Task The_shared_operator_token_may_not_approve_because_an_approval_must_name_a_person()
    {
        await Steps.IntoShadowAsync();

        using var response = await Steps.Operator.PostAsJsonAsync($"{Steps.Route}/cutover/approval", new { note = "by whoever holds the shared token" });

        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/approval-needs-a-person", problem.GetProperty("type").GetString());
        Assert.Contains("""POST /access/tokens {"principal":"alice","kind":"operator"}""", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var state = await Steps.StateAsync();
        Assert.Equal(JsonValueKind.Null, state.GetProperty("approval").ValueKind);
        await Scrape.UntilAsync(App, "filestore_auth_failures_total", 1, ("reason", "forbidden"));
    }

    [Fact]
    public async Task A_named_operator_token_approves_and_the_approval_and_its_gate_name_that_person()
    {
        await Steps.IntoShadowAsync();
        using var approver = await Steps.NamedOperatorAsync("bob");

        using var response = await approver.PostAsJsonAsync($"{Steps.Route}/cutover/approval", new { note = "watched the shadow run" });

        var approval = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("bob", "watched the shadow run"), (approval.GetProperty("by").GetString(), approval.GetProperty("note").GetString()));
        var state = await Steps.StateAsync();
        Assert.Equal("bob", state.GetProperty("approval").GetProperty("by").GetString());
        var approvalGate = state.GetProperty("next").EnumerateArray().Single(n => n.GetProperty("to").GetString() == "managed")
            .GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "approval");
        Assert.True(approvalGate.GetProperty("passed").GetBoolean());
        Assert.StartsWith("Approved by bob at ", approvalGate.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_disables_the_watcher_stops_publishing_drains_with_an_export_then_switches_in_that_order()
    {
        var client = await Steps.IntoManagedAsync();
        using var put = await Steps.CommandAsync(client, new { command = "put", path = "before-rollback.txt", text = "x" });
        var waiting = (await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore)).Count;
        Assert.True(waiting > 0);

        using var response = await Steps.TransitionAsync("manual");
        var outcome = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var steps = outcome.GetProperty("steps").EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("outcome").GetString())).ToList();
        Assert.Equal([("disable-watcher", "done"), ("stop-publishing", "done"), ("drain-queues", "done"), ("switch-to-manual", "done")], steps);
        var state = await Steps.StateAsync();
        Assert.Equal(("manual", false, true), (state.GetProperty("mode").GetString(), state.GetProperty("watcherEnabled").GetBoolean(), state.GetProperty("publishingPaused").GetBoolean()));

        // No consumer ran here: every waiting event was exported, line by line, before it was removed.
        var export = Directory.GetFiles(Path.Combine(App.DataDirectory, "exports"), "staging-billing-*-metastore-events.jsonl").Single();
        var lines = File.ReadAllLines(export).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(waiting, lines.Count);
        Assert.Contains(lines, l => l.GetProperty("data").GetProperty("path").GetString() == "before-rollback.txt");
        Assert.Empty(await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore));
        Assert.Single(Directory.GetFiles(Path.Combine(App.DataDirectory, "exports"), "staging-billing-*-timestore-events.jsonl"));
    }

    [Fact]
    public async Task A_rollback_step_that_fails_stops_the_rollback_and_the_mode_stays_managed()
    {
        await Steps.IntoManagedAsync();
        // The export folder cannot be created: a file stands where it should be.
        File.WriteAllText(Path.Combine(App.DataDirectory, "exports"), "in the way");

        using var response = await Steps.TransitionAsync("manual");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/rollback-failed", problem.GetProperty("type").GetString());
        Assert.Equal(["done", "done", "failed", "skipped"], problem.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("outcome").GetString()));
        Assert.Equal("managed", await ModeAsync());
        Assert.NotEmpty(await QueuedEvents.WaitingAsync(Redis, EventQueues.Metastore));
    }
}
