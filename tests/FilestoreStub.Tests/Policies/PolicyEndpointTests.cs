using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Access;
using FilestoreStub.Policies;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Policies;

[Collection(RedisCollection.Name)]
public sealed class PolicyEndpointTests(RedisServer redis) : FilestoreTest(redis)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Tests of one collection run one at a time, so each starts from an empty staging policy.
    private const string Env = "staging";

    private static object Rules(params PolicyRule[] rules) => new { rules };

    private async Task<PolicyVersion> ApplyAsync(params PolicyRule[] rules)
    {
        using var response = await App.Operator().PutAsJsonAsync($"/envs/{Env}/policy", Rules(rules));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PolicyVersion>(Json))!;
    }

    [Fact]
    public async Task Validate_is_a_dry_run_that_shows_the_changes_andApplies_nothing()
    {
        var grant = new PolicyRule("billing", "billing", ["put"], ["invoices"]);

        var check = await (await App.Operator().PostAsJsonAsync($"/envs/{Env}/policy/validate", Rules(grant)))
            .Content.ReadFromJsonAsync<PolicyCheck>(Json);

        Assert.True(check!.Valid);
        Assert.Equal(["billing"], check.Changes!.Added.Select(r => r.Principal));
        Assert.Equal(0, (await App.Operator().GetFromJsonAsync<PolicyVersion>($"/envs/{Env}/policy", Json))!.Version);
    }

    [Fact]
    public async Task Apply_versions_the_policy_and_rollbackAppends_an_old_version_again()
    {
        var v1 = await ApplyAsync(new PolicyRule("billing", "billing", ["put"], ["invoices"]));
        var v2 = await ApplyAsync(new PolicyRule("billing", "billing", ["put", "delete"], ["*"]));

        using var rollback = await App.Operator().PostAsJsonAsync($"/envs/{Env}/policy/rollback", new { version = v1.Version });
        var v3 = (await rollback.Content.ReadFromJsonAsync<PolicyVersion>(Json))!;
        var versions = (await App.Operator().GetFromJsonAsync<List<PolicyVersion>>($"/envs/{Env}/policy/versions", Json))!;

        Assert.Equal([1, 2], new[] { v1.Version, v2.Version });
        Assert.Equal(3, v3.Version);
        Assert.Equal(v1.Version, v3.RolledBackFrom);
        Assert.Equal(v1.Rules.Single().Prefixes, v3.Rules.Single().Prefixes);
        Assert.Equal([1, 2, 3], versions.Select(v => v.Version));
        Assert.All(versions, v => Assert.Equal("operator", v.AppliedBy));
    }

    [Fact]
    public async Task An_invalid_policy_is_refused_with_every_error_and_nothing_changes()
    {
        using var response = await App.Operator().PutAsJsonAsync($"/envs/{Env}/policy",
            Rules(new PolicyRule("billing", "billing", ["put"], ["../outside"])));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(Problems.TypeBase + "validation", body.RootElement.GetProperty("type").GetString());
        Assert.True(body.RootElement.GetProperty("errors").TryGetProperty("rules[0].prefixes[0]", out _));
        Assert.Equal(0, (await App.Operator().GetFromJsonAsync<PolicyVersion>($"/envs/{Env}/policy", Json))!.Version);
    }

    [Fact]
    public async Task Applying_over_a_stale_version_is_a_409_naming_the_current_one()
    {
        await ApplyAsync(new PolicyRule("billing", "billing", ["put"], ["invoices"]));

        using var response = await App.Operator().PutAsJsonAsync($"/envs/{Env}/policy",
            new { rules = Array.Empty<PolicyRule>(), expectedVersion = 0 });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, body.RootElement.GetProperty("currentVersion").GetInt32());
    }

    [Fact]
    public async Task An_unknown_environment_is_a_404_problem()
    {
        using var response = await App.Operator().GetAsync("/envs/qa/policy");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("unknown-environment", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_token_may_not_read_or_change_policies()
    {
        using var issue = await App.Operator().PostAsJsonAsync("/access/tokens", new { principal = "billing" });
        var service = App.ClientWith((await issue.Content.ReadFromJsonAsync<TokenResponse>())!.Token);

        Assert.Equal(HttpStatusCode.Forbidden, (await service.GetAsync($"/envs/{Env}/policy")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.PutAsJsonAsync($"/envs/{Env}/policy", Rules())).StatusCode);
    }
}
