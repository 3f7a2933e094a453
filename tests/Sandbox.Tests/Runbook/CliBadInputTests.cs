using System.Text.Json;
using Sandbox.Tests.Infrastructure;
using Xunit.Abstractions;
using static Sandbox.Tests.Infrastructure.FilestoreCalls;

namespace Sandbox.Tests.Runbook;

/// <summary>
/// The operator CLI refusing what it cannot do, without a running sandbox: one line <c>runbook: &lt;message&gt;</c> on
/// stderr and the exit code a script branches on (2 bad usage, 3 unreachable).
/// </summary>
public sealed class CliBadInputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_unknown_drill_scenario_is_bad_usage_and_the_message_names_the_known_ones()
    {
        // The address book of a sandbox that is not running: the target loads, and nothing may be contacted.
        using var cli = RunbookCli.WithStoppedSandbox(output);

        var message = (await cli.RunAsync(["drill", "no-such-drill"])).ExpectFailure(2);

        Assert.Contains("Unknown drill scenario 'no-such-drill'", message, StringComparison.Ordinal);
        Assert.All(global::Runbook.Drills.DrillScenario.All, s => Assert.Contains(s.Name, message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_environment_other_than_staging_or_production_is_bad_usage()
    {
        using var cli = RunbookCli.WithoutSandbox(output);

        var message = (await cli.RunAsync(["checklist", "qa"])).ExpectFailure(2);

        Assert.Contains("'qa'", message, StringComparison.Ordinal);
        Assert.Contains("staging", message, StringComparison.Ordinal);
        Assert.Contains("production", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sandbox_whose_addresses_do_not_answer_is_unreachable()
    {
        using var cli = RunbookCli.WithStoppedSandbox(output);

        var message = (await cli.RunAsync(["status"])).ExpectFailure(3);

        Assert.Contains("Filestore", message, StringComparison.Ordinal);
        Assert.Contains("did not answer", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_without_a_sandbox_is_unreachable_and_the_message_says_how_to_start_one()
    {
        using var cli = RunbookCli.WithoutSandbox(output);

        var message = (await cli.RunAsync(["status"])).ExpectFailure(3);

        Assert.Contains("No running sandbox", message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(cli.SandboxDirectory, "endpoints.json"), message, StringComparison.Ordinal);
    }
}

/// <summary>
/// The operator CLI refusing against the live sandbox: tokens Filestore no longer accepts (exit 4), a request the stub
/// refuses (exit 1) and a missing export file (exit 2), each as one line on stderr. None of them changes any service.
/// </summary>
[Collection(RunningSandbox.Name)]
[Trait("Category", "Live")]
public sealed class LiveCliBadInputTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    // Principals of their own per run, so a token of another test is never revoked by these.
    private static string Person(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<RunbookCli> CliAsync()
    {
        var cli = RunbookCli.For(sandbox, output);
        return cli;
    }

    [Fact]
    public async Task A_revoked_token_is_refused_with_exit_code_4()
    {
        using var cli = await CliAsync();
        var person = Person("rhea");
        var token = (await cli.RunAsync(["token", "issue", person, "--kind", "operator"])).Expect(0).Stdout.Trim();
        (await cli.RunAsync(["token", "revoke", person])).Expect(0);

        var message = (await cli.RunAsync(["status"], token: token)).ExpectFailure(4);

        Assert.Contains("refused the token", message, StringComparison.Ordinal);
        Assert.Contains("401", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_is_refused_with_exit_code_4()
    {
        using var cli = await CliAsync();
        var token = (await cli.RunAsync(["token", "issue", Person("ezra"), "--kind", "operator", "--lifetime", "1"])).Expect(0).Stdout.Trim();
        await Task.Delay(TimeSpan.FromSeconds(2));

        var message = (await cli.RunAsync(["status"], token: token)).ExpectFailure(4);

        Assert.Contains("refused the token", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approval_of_a_service_not_in_shadow_is_refused_by_filestore_with_exit_code_1()
    {
        using var cli = await CliAsync();
        // An approval of a service in shadow would be recorded; outside shadow Filestore refuses it and nothing changes.
        using var operatorClient = await sandbox.FilestoreOperatorAsync();
        var before = await OkAsync(operatorClient.GetAsync("/envs/production/services/billing/cutover"));
        var mode = before.GetProperty("mode").GetString();
        Assert.True(mode != "shadow", "production/billing is in shadow (left there by a failed rehearsal?): approving it would be recorded.");
        var token = (await cli.RunAsync(["token", "issue", Person("ada"), "--kind", "operator"])).Expect(0).Stdout.Trim();

        var message = (await cli.RunAsync(["approve", "production", "billing", "--note", "must be refused"], token: token)).ExpectFailure(1);

        Assert.Contains("409", message, StringComparison.Ordinal);
        Assert.Contains("not in shadow", message, StringComparison.Ordinal);
        var after = await OkAsync(operatorClient.GetAsync("/envs/production/services/billing/cutover"));
        Assert.Equal(mode, after.GetProperty("mode").GetString());
        Assert.Equal(Approval(before), Approval(after));
    }

    private static string? Approval(JsonElement cutover) => cutover.TryGetProperty("approval", out var approval) ? approval.GetRawText() : null;

    [Fact]
    public async Task Replaying_an_export_file_that_does_not_exist_is_bad_usage()
    {
        using var cli = await CliAsync();
        var missing = $"/nonexistent-{Guid.NewGuid():N}.jsonl";

        var message = (await cli.RunAsync(["replay", missing])).ExpectFailure(2);

        Assert.Contains($"No export file at {missing}", message, StringComparison.Ordinal);
    }
}
