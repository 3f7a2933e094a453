using System.CommandLine;
using Runbook;
using Runbook.Procedures;
using Spectre.Console;
using Status = Runbook.Procedures.Status;

namespace RunbookCli;

/// <summary>The runbook's procedures, in the order an operator works: status, checklist, dry-run, approve, cutover, rollback, replay, sign-off.</summary>
internal static class ProcedureCommands
{
    public static Argument<string> EnvArgument()
    {
        var env = new Argument<string>("env") { Description = "staging or production." };
        env.AcceptOnlyFromAmong(Status.Environments);
        return env;
    }

    public static Argument<string> ServiceArgument() => new("service") { Description = "The onboarded service, e.g. billing." };

    public static IEnumerable<Command> All()
    {
        yield return StatusCommand();
        yield return ChecklistCommand();
        yield return DryRunCommand();
        yield return ApproveCommand();
        yield return CutoverCommand();
        yield return RollbackCommand();
        yield return ReplayCommand();
        yield return SignoffCommand();
    }

    private static Command StatusCommand()
    {
        var command = new Command("status", "Health of every component, each service's mode, the queues, firing alerts and SLO budgets. Exits 1 when something needs attention.");
        command.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, console, token) =>
        {
            var report = await Status.ReadAsync(session, token);
            if (!parse.GetValue(CliContext.Json))
            {
                Render.Status(console, report);
            }

            return report.NeedsAttention
                ? throw new CheckFailedException($"Needs attention: {string.Join("; ", report.Problems)}.")
                : report;
        }, ct: ct));
        return command;
    }

    private static Command ChecklistCommand()
    {
        var env = EnvArgument();
        var service = new Option<string[]>("--service") { Description = "Only these services (default: every onboarded service).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("checklist", "Verify the environment's checklist: health, no page, budgets, then per service policy, token, seeding, stores, watcher (with a probe write) and publishing.")
        {
            env, service,
        };
        command.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
            await Checklist.RunAsync(session, parse.GetValue(env)!, parse.GetValue(service), token), ct: ct));
        return command;
    }

    private static Command DryRunCommand()
    {
        var (env, service) = (EnvArgument(), ServiceArgument());
        var commands = new Option<int>("--commands")
        {
            Description = "Shadow commands to send as the service (0 in production: the service's own client sends them).",
            DefaultValueFactory = _ => DryRun.DefaultCommands,
        };
        var observe = new Option<int>("--observe") { Description = "Seconds to watch the disk in shadow before judging.", DefaultValueFactory = _ => (int)DryRun.DefaultObserve.TotalSeconds };
        var command = new Command("dry-run", "manual -> shadow after the checklist, shadow commands as the service (token in FILESTORE_SERVICE_TOKEN), then the gates and the proof of no manual edits. Ends in shadow.")
        {
            env, service, commands, observe,
        };
        command.SetAction((parse, ct) =>
        {
            var (count, seconds) = (parse.GetValue(commands), parse.GetValue(observe));
            return count is < 0 or > 10_000 || seconds is < 0 or > 86_400
                ? CliContext.Usage("--commands must be from 0 to 10000 and --observe from 0 to 86400 seconds.")
                : CliContext.RunAsync(parse, async (session, _, token) =>
                    await DryRun.RunAsync(session, parse.GetValue(env)!, parse.GetValue(service)!, count, TimeSpan.FromSeconds(seconds), token), ct: ct);
        });
        return command;
    }

    private static Command ApproveCommand()
    {
        var (env, service) = (EnvArgument(), ServiceArgument());
        var note = new Option<string?>("--note") { Description = "Why, or the change ticket." };
        var command = new Command("approve", "Record your approval of shadow -> managed. Run it with the approver's own named operator token in FILESTORE_TOKEN.")
        {
            env, service, note,
        };
        command.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
            await DryRun.ApproveAsync(session, parse.GetValue(env)!, parse.GetValue(service)!, parse.GetValue(note), token), ct: ct));
        return command;
    }

    private static Command CutoverCommand()
    {
        var (env, service) = (EnvArgument(), ServiceArgument());
        var command = new Command("cutover", "shadow -> managed after the go/no-go, then verified: mode, a canary command in both consumers, the stores, the audit.")
        {
            env, service,
        };
        command.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
            await Cutover.RunAsync(session, parse.GetValue(env)!, parse.GetValue(service)!, token), ct: ct));
        return command;
    }

    private static Command RollbackCommand()
    {
        var (env, service) = (EnvArgument(), ServiceArgument());
        var deadline = new Option<int>("--drain-deadline")
        {
            Description = "Seconds the drain waits for the consumers before exporting what is left.",
            DefaultValueFactory = _ => Rollback.DefaultDrainDeadlineSeconds,
        };
        var command = new Command("rollback", "managed -> manual (or abandon shadow): watcher off, publishing stopped, queues drained with an export, switch; then verified.")
        {
            env, service, deadline,
        };
        command.SetAction((parse, ct) => parse.GetValue(deadline) is < 0 or > 3600
            ? CliContext.Usage("--drain-deadline must be from 0 to 3600 seconds.")
            : CliContext.RunAsync(parse, async (session, console, token) =>
        {
            var result = await Rollback.RunAsync(session, parse.GetValue(env)!, parse.GetValue(service)!, parse.GetValue(deadline), token);
            foreach (var file in result.ExportFiles)
            {
                console.MarkupLineInterpolated($"[yellow]export[/] {file}  (replay it after the next cutover: runbook replay {file})");
            }

            return result;
        }, ct: ct));
        return command;
    }

    private static Command ReplayCommand()
    {
        var file = new Argument<string>("export-file") { Description = "A JSON-lines file a rollback's drain wrote." };
        var command = new Command("replay", "Put a rollback export's events back on their queues (after the service is cut over again), then wait for both consumers.")
        {
            file,
        };
        command.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) =>
            await Replay.RunAsync(session, Path.GetFullPath(parse.GetValue(file)!), token), ct: ct));
        return command;
    }

    private static Command SignoffCommand()
    {
        var (env, service) = (EnvArgument(), ServiceArgument());
        var output = new Option<string?>("--out") { Description = "Folder for the record (default: the records folder)." };
        var command = new Command("signoff", "Write the sign-off record (Markdown and JSON) of the service's dry-run or cutover from the journal and Filestore's audit.")
        {
            env, service, output,
        };
        command.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, console, token) =>
        {
            var written = await Signoff.WriteAsync(session, parse.GetValue(env)!, parse.GetValue(service)!, parse.GetValue(output), token);
            console.MarkupLineInterpolated($"[green]✓[/] sign-off of the {written.Record.Kind}: {written.Record.Steps.Count} steps verified, {written.Record.Drills.Count} drills");
            console.WriteLine(written.MarkdownFile);
            console.WriteLine(written.JsonFile);
            return written;
        }, ct: ct));
        return command;
    }
}
