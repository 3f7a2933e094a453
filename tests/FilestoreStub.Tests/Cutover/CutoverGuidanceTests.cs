using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Changes;
using FilestoreStub.Cutover;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Cutover;

/// <summary>
/// What the cutover view tells an operator: the next steps from each mode, and for every gate what it found, or
/// what to do to meet it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CutoverGuidanceTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    private async Task<Dictionary<string, (bool Passed, string Detail)>> GatesTowardsAsync(string to)
    {
        var next = (await Steps.StateAsync()).GetProperty("next").EnumerateArray().Single(n => n.GetProperty("to").GetString() == to);
        return next.GetProperty("gates").EnumerateArray()
            .ToDictionary(g => g.GetProperty("name").GetString()!, g => (g.GetProperty("passed").GetBoolean(), g.GetProperty("detail").GetString()!));
    }

    [Fact]
    public void Each_mode_offers_exactly_its_transitions()
    {
        Assert.Equal([CutoverMode.Shadow], CutoverService.NextModes(CutoverMode.Manual));
        Assert.Equal([CutoverMode.Managed, CutoverMode.Manual], CutoverService.NextModes(CutoverMode.Shadow));
        Assert.Equal([CutoverMode.Manual], CutoverService.NextModes(CutoverMode.Managed));
    }

    [Fact]
    public async Task Every_unmet_gate_of_manual_to_shadow_says_how_to_meet_it()
    {
        await Steps.PublishingAsync(false);

        var gates = await GatesTowardsAsync("shadow");

        Assert.All(gates.Values, g => Assert.False(g.Passed));
        Assert.Equal("Policy version 0 of staging has no rule for billing; apply one with PUT /envs/staging/policy.", gates["policy"].Detail);
        Assert.Equal("No principal is granted the service, so no token can count; apply a policy, then issue a token with POST /access/tokens.", gates["token"].Detail);
        Assert.Equal("billing was never seeded; run POST /envs/staging/services/billing/seed.", gates["seeded"].Detail);
        Assert.Equal("The drift watcher is off; turn it on with PUT /envs/staging/services/billing/watcher.", gates["watcher"].Detail);
        Assert.Equal("Publishing is paused; resume it with PUT /envs/staging/services/billing/publishing.", gates["publishing"].Detail);
    }

    [Fact]
    public async Task A_granted_principal_without_a_live_token_is_named_in_the_token_gate()
    {
        await Steps.GrantAsync();

        var gates = await GatesTowardsAsync("shadow");

        Assert.Equal((true, "Policy version 1 of staging grants billing to billing-app."), gates["policy"]);
        Assert.Equal((false, "None of billing-app holds a live token; issue one with POST /access/tokens."), gates["token"]);
    }

    [Fact]
    public async Task Only_rules_for_this_service_open_the_policy_gate()
    {
        using var response = await Steps.Operator.PutAsJsonAsync("/envs/staging/policy",
            new { rules = new[] { new FilestoreStub.Policies.PolicyRule(CutoverSteps.Principal, "reports", ["put"], ["*"]) } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Steps.IssueTokenAsync();

        var gates = await GatesTowardsAsync("shadow");

        Assert.False(gates["policy"].Passed);
        Assert.False(gates["token"].Passed);
    }

    [Fact]
    public async Task Met_gates_of_manual_to_shadow_say_what_they_found()
    {
        await Steps.GrantAsync();
        await Steps.IssueTokenAsync();
        await Steps.SeedAsync();
        await Steps.WatcherAsync(true);

        var gates = await GatesTowardsAsync("shadow");

        Assert.All(gates.Values, g => Assert.True(g.Passed));
        Assert.Equal("billing-app holds a live token.", gates["token"].Detail);
        Assert.Matches("^Seeded at .+: [0-9]+ files, [0-9]+ published, [0-9]+ already published\\.$", gates["seeded"].Detail);
        Assert.Equal("The drift watcher is on.", gates["watcher"].Detail);
        Assert.Equal("Events are being published.", gates["publishing"].Detail);
    }

    [Fact]
    public async Task A_seeding_that_did_not_complete_keeps_the_seeded_gate_shut()
    {
        var seeder = App.Services.GetRequiredService<FilestoreStub.Seeding.Seeder>();
        await Steps.SeedAsync();
        var completed = (await seeder.LastAsync("staging", "billing"))!;
        // A run that stopped part-way leaves its report in another status.
        await Redis.Db.StringSetAsync(FilestoreStub.Seeding.Seeder.RecordKey("staging", "billing"), JsonSerializer.Serialize(completed with { Status = FilestoreStub.Seeding.SeedStatus.Failed }));

        Assert.Equal(FilestoreStub.Seeding.SeedStatus.Completed, completed.Status);
        Assert.Equal(FilestoreStub.Seeding.SeedStatus.Failed, (await seeder.LastAsync("staging", "billing"))?.Status);
        var gates = await GatesTowardsAsync("shadow");
        Assert.Equal((false, "The last seeding stopped part-way; run POST /envs/staging/services/billing/seed again."), gates["seeded"]);
    }

    [Fact]
    public async Task Without_an_approval_the_gate_says_who_may_give_one_and_where()
    {
        await Steps.IntoShadowAsync();

        var gates = await GatesTowardsAsync("managed");

        Assert.Equal((false, "No operator approval recorded; the approver posts to /envs/staging/services/billing/cutover/approval with a named operator token."),
            gates["approval"]);
        Assert.Equal(["shadow-commands", "shadow-success-rate", "shadow-plans-match", "approval", "watcher", "publishing"], gates.Keys);
    }
}
