using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Changes;
using FilestoreStub.Cutover;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Cutover;

/// <summary>The transition and approval requests at their edges, abandoning a shadow run, and a switch that lost a race.</summary>
[Collection(RedisCollection.Name)]
public sealed class TransitionRequestTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    [Theory]
    [InlineData(null, null, "to")]
    [InlineData("managedd", null, "to")]
    [InlineData("shadow", -1, "drainDeadlineSeconds")]
    [InlineData("shadow", 3601, "drainDeadlineSeconds")]
    public async Task A_transition_to_no_mode_or_with_a_drain_deadline_outside_an_hour_is_refused(string? to, int? deadline, string field)
    {
        using var response = await Steps.TransitionAsync(to!, deadline);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], (await ProblemAsync(response)).GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3600)]
    public async Task A_drain_deadline_from_zero_to_an_hour_is_accepted(int deadline)
    {
        using var response = await Steps.TransitionAsync("shadow", deadline);

        // Past validation, the machine judges it: nothing is ready, so the gates refuse.
        Assert.Equal("https://filestore.sandbox/problems/cutover-gates-failed", (await ProblemAsync(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_transition_the_machine_does_not_have_says_where_the_service_can_go()
    {
        using var response = await Steps.TransitionAsync("managed");

        Assert.Equal("billing in staging is manual; from there it can go to shadow, not managed.", (await ProblemAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Abandoning_a_shadow_run_needs_no_gate_clears_the_approval_and_the_next_run_starts_from_nothing()
    {
        var client = await Steps.IntoShadowAsync();
        using (var planned = await Steps.CommandAsync(client, new { command = "mkdir", path = "planned" }))
        {
            Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        }

        await Steps.ApproveAsync();
        await Steps.WatcherAsync(false);

        using var abandon = await Steps.TransitionAsync("manual");
        var outcome = await abandon.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, abandon.StatusCode);
        Assert.Equal(("switched", 0), (outcome.GetProperty("outcome").GetString(), outcome.GetProperty("gates").GetArrayLength()));
        Assert.Equal(JsonValueKind.Null, (await Steps.StateAsync()).GetProperty("approval").ValueKind);

        await Steps.WatcherAsync(true);
        await Steps.MoveToAsync("shadow");
        var shadow = (await Steps.StateAsync()).GetProperty("shadow");
        Assert.Equal(0, shadow.GetProperty("success").GetInt64());
        Assert.Empty((await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/shadow/plans")).EnumerateArray());
    }

    [Fact]
    public async Task A_switch_from_a_mode_the_service_is_no_longer_in_is_refused_and_leaves_the_mode()
    {
        var store = App.Services.GetRequiredService<CutoverStore>();
        var at = App.Clock.GetUtcNow();

        Assert.False(await store.SwitchAsync("staging", "billing", CutoverMode.Shadow, CutoverMode.Managed, at));
        Assert.True(await store.SwitchAsync("staging", "billing", CutoverMode.Manual, CutoverMode.Shadow, at));
        Assert.False(await store.SwitchAsync("staging", "billing", CutoverMode.Manual, CutoverMode.Shadow, at));
        Assert.True(await store.SwitchAsync("staging", "billing", CutoverMode.Shadow, CutoverMode.Managed, at));
        Assert.False(await store.SwitchAsync("staging", "billing", CutoverMode.Manual, CutoverMode.Shadow, at));

        Assert.Equal(CutoverMode.Managed, await store.ModeAsync("staging", "billing"));
        Assert.Equal("managed", (await Steps.StateAsync()).GetProperty("mode").GetString());
    }

    [Fact]
    public async Task A_lost_race_is_seen_by_the_store_with_the_mode_the_winner_set()
    {
        var store = App.Services.GetRequiredService<CutoverStore>();
        Assert.Equal(CutoverMode.Manual, await store.ModeAsync("staging", "billing"));
        // Another instance moved the service meanwhile: only Redis knows.
        await Redis.Db.HashSetAsync("filestore:cutover:staging:billing", "mode", "shadow");

        Assert.False(await store.SwitchAsync("staging", "billing", CutoverMode.Manual, CutoverMode.Shadow, App.Clock.GetUtcNow()));

        Assert.Equal(CutoverMode.Shadow, await store.ModeAsync("staging", "billing"));
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("ok", "ok")]
    public async Task An_empty_approval_note_is_no_note(string note, string? kept)
    {
        await Steps.IntoShadowAsync();
        using var approver = await Steps.NamedOperatorAsync();

        using var response = await approver.PostAsJsonAsync($"{Steps.Route}/cutover/approval", new { note });

        var approval = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(kept, approval.GetProperty("note").GetString());
        Assert.Equal(kept, (await Steps.StateAsync()).GetProperty("approval").GetProperty("note").GetString());
    }

    [Fact]
    public async Task A_long_approval_note_is_kept_to_its_first_500_characters()
    {
        await Steps.IntoShadowAsync();
        using var approver = await Steps.NamedOperatorAsync();
        var note = string.Concat(Enumerable.Range(0, 60).Select(i => $"{i:D9},"));

        using var response = await approver.PostAsJsonAsync($"{Steps.Route}/cutover/approval", new { note });

        Assert.Equal(note[..500], (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetString());
    }
}
