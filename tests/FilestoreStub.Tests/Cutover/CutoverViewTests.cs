using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Cutover;

/// <summary>
/// Where each service stands, as the operator reads it: the list of services, one service's view, the publishing
/// switch, the mode gauge from the first scrape, and each service's own state and audit.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CutoverViewTests(RedisServer redis) : FilestoreTest(redis)
{
    private CutoverSteps Steps => field ??= new CutoverSteps(App);

    [Fact]
    public async Task The_services_of_an_environment_are_listed_each_with_its_own_mode_and_next_steps()
    {
        await Steps.IntoShadowAsync();

        var views = await Steps.Operator.GetFromJsonAsync<JsonElement>("/envs/staging/services");

        Assert.Equal([("billing", "shadow"), ("reports", "manual")],
            views.EnumerateArray().Select(v => (v.GetProperty("service").GetString(), v.GetProperty("mode").GetString())));
        var reports = views[1];
        Assert.Equal(JsonValueKind.Null, reports.GetProperty("since").ValueKind);
        Assert.Equal(JsonValueKind.Null, reports.GetProperty("shadow").ValueKind);
        Assert.False(reports.GetProperty("next")[0].GetProperty("ready").GetBoolean());
        Assert.Equal(0, (await Steps.Operator.GetFromJsonAsync<JsonElement>("/envs/staging/services/reports/cutover/audit")).GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_environment_has_no_services()
    {
        using var response = await Steps.Operator.GetAsync("/envs/qa/services");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/unknown-environment", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_transition_is_ready_only_when_every_gate_passes_and_the_view_says_since_when_the_mode_holds()
    {
        await Steps.GrantAsync();
        await Steps.IssueTokenAsync();
        await Steps.SeedAsync();
        Assert.False((await Steps.StateAsync()).GetProperty("next")[0].GetProperty("ready").GetBoolean());

        await Steps.WatcherAsync(true);
        Assert.True((await Steps.StateAsync()).GetProperty("next")[0].GetProperty("ready").GetBoolean());

        var at = App.Clock.GetUtcNow();
        await Steps.MoveToAsync("shadow");
        var state = await Steps.StateAsync();
        Assert.Equal(at.ToUnixTimeMilliseconds(), state.GetProperty("since").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(0, state.GetProperty("shadow").GetProperty("success").GetInt64());
    }

    [Fact]
    public async Task An_approval_is_shown_with_who_gave_it_and_when()
    {
        await Steps.IntoShadowAsync();
        var at = App.Clock.GetUtcNow();

        await Steps.ApproveAsync();

        var approval = (await Steps.StateAsync()).GetProperty("approval");
        Assert.Equal(CutoverSteps.Approver, approval.GetProperty("by").GetString());
        Assert.Equal(at.ToUnixTimeMilliseconds(), approval.GetProperty("at").GetDateTimeOffset().ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task An_approval_outside_shadow_says_there_is_nothing_to_approve()
    {
        using var approver = await Steps.NamedOperatorAsync();

        using var response = await approver.PostAsJsonAsync($"{Steps.Route}/cutover/approval", new { note = "too early" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("https://filestore.sandbox/problems/not-in-shadow", problem.GetProperty("type").GetString());
        Assert.Equal("billing in staging is not in shadow mode; an approval is for shadow -> managed.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_publishing_switch_reads_back_what_was_set_and_needs_a_value()
    {
        var route = $"{Steps.Route}/publishing";
        Assert.True((await Steps.Operator.GetFromJsonAsync<JsonElement>(route)).GetProperty("enabled").GetBoolean());

        await Steps.PublishingAsync(false);
        var paused = await Steps.Operator.GetFromJsonAsync<JsonElement>(route);
        using var missing = await Steps.Operator.PutAsJsonAsync(route, new { });

        Assert.False(paused.GetProperty("enabled").GetBoolean());
        Assert.Equal(("staging", "billing"), (paused.GetProperty("env").GetString(), paused.GetProperty("service").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.False((await Steps.Operator.GetFromJsonAsync<JsonElement>(route)).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task A_transition_is_audited_with_the_callers_correlation_id()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Steps.Route}/cutover") { Content = JsonContent.Create(new { to = "shadow" }) };
        request.Headers.Add("X-Correlation-Id", "corr-cutover-1");

        using var response = await Steps.Operator.SendAsync(request);

        var audit = (await Steps.Operator.GetFromJsonAsync<JsonElement>($"{Steps.Route}/cutover/audit"))[0];
        Assert.Equal("corr-cutover-1", audit.GetProperty("correlationId").GetString());
        Assert.Equal(App.Clock.GetUtcNow().ToUnixTimeMilliseconds(), audit.GetProperty("at").GetDateTimeOffset().ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Modes_stored_before_the_stub_starts_are_on_the_gauge_from_the_first_scrape()
    {
        await Redis.Db.HashSetAsync("filestore:cutover:production:reports", "mode", "managed");
        await using var started = new FilestoreApp(Redis);

        var metrics = await started.CreateClient().GetStringAsync("/metrics");

        Assert.Matches("filestore_cutover_mode\\{[^}]*env=\"production\"[^}]*mode=\"managed\"[^}]*service=\"reports\"[^}]*\\} 1", metrics);
        Assert.Matches("filestore_cutover_mode\\{[^}]*env=\"staging\"[^}]*mode=\"manual\"[^}]*service=\"billing\"[^}]*\\} 1", metrics);
    }
}
