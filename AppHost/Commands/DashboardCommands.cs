using Microsoft.Extensions.Diagnostics.HealthChecks;
using Runbook;
using Runbook.Drills;
using Runbook.Procedures;
using Runbook.Steps;

namespace Sandbox.AppHost;

/// <summary>
/// The runbook and the drills as commands in the Aspire dashboard. On <c>filestore</c>: the dry-run, approval, cutover
/// and rollback (with their arguments and a confirmation), drill traffic, every drill scenario by its runbook name and
/// "Clear drill faults", and the switches a trainer flips most. On each consumer: its stall fault. The runbook
/// commands call the same library as the operator CLI, so a click and <c>runbook cutover</c> are one implementation.
/// </summary>
public static class DashboardCommands
{
    private static readonly TimeSpan ServiceTokenLifetime = TimeSpan.FromMinutes(10);

    public static IResourceBuilder<ProjectResource> WithOperatorCommands(this IResourceBuilder<ProjectResource> filestore, SandboxSettings sandbox)
    {
        var runbook = new RunbookCommands(sandbox.StateDirectory);

        filestore
            .Command("runbook-dry-run", "Runbook: dry-run", "Beaker", "The staging dry-run: checklist, manual -> shadow, shadow commands as the service, gates, no manual edits.",
                context => runbook.RunAsync(context, (session, args, t) => WithServiceTokenAsync(session, args,
                    (s, token) => DryRun.RunAsync(s, args.Env, args.Service, DryRun.DefaultCommands, DryRun.DefaultObserve, token), t)),
                RunbookCommands.ServiceArguments())
            .Command("runbook-approve", "Runbook: approve shadow -> managed", "PersonCheckmark", "Records the approval of a named person (a short-lived operator token is issued in their name).",
                context => runbook.RunAsync(context, async (session, args, t) =>
                {
                    var issued = await session.Filestore.CallAsync(HttpMethod.Post, "/access/tokens",
                        new { principal = args.Approver, kind = "operator", lifetimeSeconds = 300 }, t);
                    try
                    {
                        await using var approver = new RunbookSession(session.Target with { OperatorToken = issued.GetProperty("token").GetString()! }, session.Observer);
                        return await DryRun.ApproveAsync(approver, args.Env, args.Service, args.Note, t);
                    }
                    finally
                    {
                        // Used once: the token in the approver's name does not outlive the click.
                        await ServiceTokens.RevokeAsync(session, issued.GetProperty("tokenId").GetString()!);
                    }
                }),
                [.. RunbookCommands.ServiceArguments(), RunbookCommands.Text("approver", "Approver (a person's name)", required: true), RunbookCommands.Text("note", "Note or change ticket", required: false)])
            .Command("runbook-cutover", "Runbook: cut over to managed", "ArrowForward", "shadow -> managed after the go/no-go, verified with a canary command, the stores and the audit.",
                context => runbook.RunAsync(context, (session, args, t) => WithServiceTokenAsync(session, args, (s, token) => Cutover.RunAsync(s, args.Env, args.Service, token), t)),
                RunbookCommands.ServiceArguments(), confirmation: "Cut the service over to managed? Filestore will execute its commands from now on.")
            .Command("runbook-rollback", "Runbook: roll back to manual", "ArrowUndo", "managed -> manual: watcher off, publishing stopped, queues drained with an export, switch; verified.",
                context => runbook.RunAsync(context, async (session, args, t) =>
                    (await Rollback.RunAsync(session, args.Env, args.Service, args.DrainDeadlineSeconds, t)).Report),
                [.. RunbookCommands.ServiceArguments(), RunbookCommands.Number("drainDeadlineSeconds", "Drain deadline (s)", Rollback.DefaultDrainDeadlineSeconds)],
                confirmation: "Roll the service back to manual? Its queues are drained and what is left is exported.")
            .Command("start-drill-traffic", "Start drill traffic", "Play", "10 put commands a second to a managed service (cut over first if needed), until stopped.",
                context => runbook.StartTrafficAsync(context), RunbookCommands.ServiceArguments(defaultService: DrillScenario.DefaultTarget.Service))
            .Command("stop-drill-traffic", "Stop drill traffic", "Stop", "Stops the drill traffic.", _ => runbook.StopTrafficAsync());

        // A drill that ends on its own has no place beside "Clear drill faults"; the redis resource has its own outage.
        foreach (var scenario in DrillScenario.All.Where(s => !s.EndsOnItsOwn))
        {
            var expected = scenario.ExpectedAlerts.Count == 0 ? "pages nothing by design" : $"expect {string.Join(" or ", scenario.ExpectedAlerts)}";
            filestore.Command(scenario.Name, $"Drill: {scenario.Title}", "Warning", $"{scenario.Fault} ({expected}; end it with 'Clear drill faults')",
                ct => runbook.InjectAsync(scenario, ct));
        }

        return filestore
            .Command("clear-drills", "Clear drill faults", "Checkmark", "Ends every drill fault: Filestore faults, consumer stalls, paused queue, watchers of managed services.",
                ct => runbook.ClearDrillsAsync(ct))
            .Command("enable-watchers", "Enable drift watchers", "Eye", "Turns on the drift watcher of every service in both environments.",
                ct => runbook.ForEveryServiceAsync(HttpMethod.Put, "watcher", new { enabled = true }, ct))
            .Command("disable-watchers", "Disable drift watchers", "EyeOff", "Turns off every drift watcher.",
                ct => runbook.ForEveryServiceAsync(HttpMethod.Put, "watcher", new { enabled = false }, ct))
            .Command("pause-publishing", "Pause publishing", "Pause", "Stops publishing events of every service; commands and seeding are refused until resumed.",
                ct => runbook.ForEveryServiceAsync(HttpMethod.Put, "publishing", new { enabled = false }, ct))
            .Command("resume-publishing", "Resume publishing", "Play", "Publishes events of every service again; watchers catch up on what they held.",
                ct => runbook.ForEveryServiceAsync(HttpMethod.Put, "publishing", new { enabled = true }, ct))
            .Command("seed-all", "Seed all services", "ArrowSync", "Publishes one seed event per file of every service (idempotent).",
                ct => runbook.ForEveryServiceAsync(HttpMethod.Post, "seed", null, ct));
    }

    /// <summary>The consumer's stall fault: stop applying for a minute, slow down, or clear.</summary>
    public static IResourceBuilder<ProjectResource> WithStallCommands(this IResourceBuilder<ProjectResource> consumer, SandboxSettings sandbox)
    {
        var runbook = new RunbookCommands(sandbox.StateDirectory);
        var name = consumer.Resource.Name;
        return consumer
            .Command("stall", "Stall for 60 s", "PauseCircle", "Stops applying events for 60 s; the reconciliation lag rises.",
                ct => runbook.CallConsumerAsync(name, HttpMethod.Put, "/stall", new { pauseSeconds = 60 }, ct))
            .Command("slow-down", "Slow down (200 ms per event)", "Hourglass", "Waits 200 ms before applying each event.",
                ct => runbook.CallConsumerAsync(name, HttpMethod.Put, "/stall", new { delayMs = 200 }, ct))
            .Command("clear-stall", "Clear stall", "Checkmark", "Applies events at full speed again.",
                ct => runbook.CallConsumerAsync(name, HttpMethod.Delete, "/stall", null, ct));
    }

    // The dry-run and the cutover send commands as the service: a short-lived token of its principal stands in for its client.
    private static async Task<ProcedureReport> WithServiceTokenAsync(
        RunbookSession session, RunbookArguments args, Func<RunbookSession, CancellationToken, Task<ProcedureReport>> run, CancellationToken ct)
    {
        var (token, tokenId) = await ServiceTokens.IssueShortLivedAsync(session, args.Env, args.Service, ServiceTokenLifetime, ct);
        try
        {
            await using var asService = new RunbookSession(session.Target with { ServiceToken = token }, session.Observer);
            return await run(asService, ct);
        }
        finally
        {
            await ServiceTokens.RevokeAsync(session, tokenId);
        }
    }

    private static IResourceBuilder<ProjectResource> Command(
        this IResourceBuilder<ProjectResource> resource, string name, string displayName, string icon, string description,
        Func<ExecuteCommandContext, Task<string>> run, IReadOnlyList<InteractionInput>? arguments = null, string? confirmation = null) =>
        resource.WithCommand(name, displayName, async context =>
        {
            try
            {
                return CommandResults.Success(await run(context));
            }
            catch (RunbookException e)
            {
                return CommandResults.Failure(e.Message);
            }
        }, new CommandOptions
        {
            Description = description,
            IconName = icon,
            Arguments = arguments ?? [],
            ConfirmationMessage = confirmation,
            // The API answers only once the stub is healthy; until then the command is greyed out.
            UpdateState = context => context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        });

    private static IResourceBuilder<ProjectResource> Command(
        this IResourceBuilder<ProjectResource> resource, string name, string displayName, string icon, string description, Func<CancellationToken, Task<string>> run) =>
        resource.Command(name, displayName, icon, description, context => run(context.CancellationToken));
}
