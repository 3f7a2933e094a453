using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Runbook;

/// <summary>
/// The runbook's commands in the Aspire dashboard take their arguments, run the runbook library against the sandbox
/// and report its one-line outcome: drill traffic starts and stops, and a refused approval says why.
/// </summary>
[Collection(RunningSandbox.Name)]
[Trait("Category", "Live")]
public sealed class DashboardRunbookCommandsTests(SandboxFixture sandbox)
{
    private static InteractionInputCollection Arguments(params (string Name, string Value)[] values) =>
        new([.. values.Select(v => new InteractionInput { Name = v.Name, InputType = InputType.Text, Value = v.Value })]);

    [Fact]
    public async Task Drill_traffic_starts_against_the_chosen_service_and_stops_with_its_counts()
    {
        var commands = sandbox.App.Services.GetRequiredService<ResourceCommandService>();

        using var filestore = sandbox.HttpClientFor("filestore");
        var before = await SucceededCommandsAsync(filestore);

        var started = await commands.ExecuteCommandAsync("filestore", "start-drill-traffic", Arguments(("env", "staging"), ("service", "reports")));
        Assert.True(started.Success, started.Message);
        Assert.Contains("staging/reports", started.Message, StringComparison.Ordinal);
        // The traffic sends one command at a time: once Filestore has counted two, the first answer has reached it.
        await Waits.UntilAsync("drill traffic's first answered command", Waits.Scrape, async ct =>
        {
            var now = await SucceededCommandsAsync(filestore);
            return (now >= before + 2 ? (object)now : null, $"{now - before} commands since the start");
        });

        var stopped = await commands.ExecuteCommandAsync("filestore", "stop-drill-traffic");
        Assert.True(stopped.Success, stopped.Message);
        Assert.Matches(@"Drill traffic stopped: [1-9]\d* commands succeeded", stopped.Message);
        var again = await commands.ExecuteCommandAsync("filestore", "stop-drill-traffic");
        Assert.Equal("No drill traffic is running.", again.Message);
    }

    [Fact]
    public async Task An_approval_outside_shadow_fails_with_filestores_reason_and_records_nothing()
    {
        var commands = sandbox.App.Services.GetRequiredService<ResourceCommandService>();
        using var operatorClient = await sandbox.FilestoreOperatorAsync();
        var before = await FilestoreCalls.OkAsync(operatorClient.GetAsync("/envs/staging/services/reports/cutover"));
        Assert.NotEqual("shadow", before.GetProperty("mode").GetString());

        var approved = await commands.ExecuteCommandAsync("filestore", "runbook-approve",
            Arguments(("env", "staging"), ("service", "reports"), ("approver", "grace"), ("note", "dashboard")));

        Assert.False(approved.Success);
        Assert.Contains("Approval refused: 409", approved.Message, StringComparison.Ordinal);
        var after = await FilestoreCalls.OkAsync(operatorClient.GetAsync("/envs/staging/services/reports/cutover"));
        Assert.Equal(before.GetProperty("mode").GetString(), after.GetProperty("mode").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, after.GetProperty("approval").ValueKind);
    }

    // Filestore's own counter of commands executed for staging/reports (managed: not the preparation's shadow ones), from its /metrics.
    private static async Task<double> SucceededCommandsAsync(HttpClient filestore) =>
        (await filestore.GetStringAsync("/metrics")).Split('\n')
            .Where(line => line.StartsWith("filestore_commands_total{", StringComparison.Ordinal)
                && line.Contains("env=\"staging\"", StringComparison.Ordinal) && line.Contains("service=\"reports\"", StringComparison.Ordinal)
                && line.Contains("outcome=\"success\"", StringComparison.Ordinal) && line.Contains("mode=\"managed\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
}
