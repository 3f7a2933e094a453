using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FilestoreStub.Policies;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Policies;

/// <summary>The rollback and dry-run routes at their edges: which versions exist, and what an invalid proposal shows.</summary>
[Collection(RedisCollection.Name)]
public sealed class PolicyRollbackTests(RedisServer redis) : FilestoreTest(redis)
{
    private const string Route = "/envs/staging/policy";

    private async Task ApplyAsync()
    {
        using var response = await App.Operator().PutAsJsonAsync(Route,
            new { rules = new[] { new PolicyRule("billing-app", "billing", ["put"], ["*"]) } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<(HttpStatusCode, JsonElement)> RollbackAsync(object body)
    {
        using var response = await App.Operator().PostAsJsonAsync($"{Route}/rollback", body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Rolling_back_to_version_zero_applies_the_empty_policy_as_a_new_version()
    {
        await ApplyAsync();

        var (status, version) = await RollbackAsync(new { version = 0 });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, version.GetProperty("version").GetInt32());
        Assert.Equal(0, version.GetProperty("rolledBackFrom").GetInt32());
        Assert.Equal(0, version.GetProperty("rules").GetArrayLength());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(null)]
    public async Task A_rollback_without_a_version_or_with_a_negative_one_is_refused(int? target)
    {
        await ApplyAsync();

        var (status, problem) = await RollbackAsync(new { version = target });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(problem.GetProperty("errors").TryGetProperty("version", out _));
        Assert.Equal(1, (await App.Operator().GetFromJsonAsync<JsonElement>(Route)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_rollback_to_a_version_never_applied_is_404_and_changes_nothing()
    {
        await ApplyAsync();

        var (status, problem) = await RollbackAsync(new { version = 2 });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("https://filestore.sandbox/problems/unknown-policy-version", problem.GetProperty("type").GetString());
        Assert.Equal(("No such policy version", "Policy version 2 of staging does not exist."),
            (problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString()));
        Assert.Equal(1, (await App.Operator().GetFromJsonAsync<JsonElement>(Route)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task An_invalid_proposal_is_shown_invalid_with_no_diff_and_the_current_version()
    {
        await ApplyAsync();

        using var response = await App.Operator().PostAsJsonAsync($"{Route}/validate",
            new { rules = new[] { new PolicyRule("operator", "billing", ["put"], ["*"]) } });
        var check = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.False(check.GetProperty("valid").GetBoolean());
        Assert.Equal(JsonValueKind.Null, check.GetProperty("changes").ValueKind);
        Assert.Equal(1, check.GetProperty("currentVersion").GetInt32());
        Assert.True(check.GetProperty("errors").TryGetProperty("rules[0].principal", out _));
    }

    [Fact]
    public async Task An_applied_version_records_who_applied_it()
    {
        using var alice = App.ClientWith(await new CutoverSteps(App).IssueTokenAsync("alice", kind: "operator"));

        using var response = await alice.PutAsJsonAsync(Route, new { rules = Array.Empty<object>() });

        Assert.Equal("alice", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appliedBy").GetString());
    }

    [Fact]
    public async Task An_invalid_policy_is_answered_as_not_applied()
    {
        using var response = await App.Operator().PutAsJsonAsync(Route, new { rules = new[] { new PolicyRule("operator", "billing", ["put"], ["*"]) } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The policy is not valid; nothing was applied.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_stale_apply_is_a_policy_conflict_problem_that_says_what_to_do()
    {
        await ApplyAsync();

        using var response = await App.Operator().PutAsJsonAsync(Route, new { rules = Array.Empty<PolicyRule>(), expectedVersion = 0 });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("https://filestore.sandbox/problems/policy-conflict", problem.GetProperty("type").GetString());
        Assert.Equal(("The policy changed meanwhile", "The policy is at version 1, not 0; read it again and retry."),
            (problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString()));
    }
}
