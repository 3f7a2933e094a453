using System.Text.Json;
using Runbook.Steps;
using Runbook.Targets;

namespace Runbook.Procedures;

/// <summary>
/// The staging dry-run: the checklist of the service, <c>manual -> shadow</c>, shadow commands as the service sends
/// them (in the sandbox the CLI plays the service, with the service's own token), a watch of the disk, then the
/// gates of <c>shadow -> managed</c> and the proof that no one edited the files by hand. It ends in shadow: approve
/// and cut over, or roll back to manual.
/// </summary>
public static class DryRun
{
    public const int DefaultCommands = 25;
    public static readonly TimeSpan DefaultObserve = TimeSpan.FromSeconds(12);

    public static async Task<ProcedureReport> RunAsync(
        RunbookSession session, string env, string service, int commands, TimeSpan observe, CancellationToken ct = default)
    {
        // With no simulated commands (production), the service's own client sends its shadow commands.
        var serviceToken = commands > 0 ? RequireServiceToken(session, service) : null;
        var route = Checks.ServiceRoute(env, service);
        var run = session.Begin("dry-run", env, service);

        var mode = Checks.Mode(await Checks.CutoverStateAsync(session, env, service, ct));
        if (mode == "managed")
        {
            await run.StepAsync("enter-shadow", "The service is in manual mode", (_, _) =>
                Task.FromException<string>(new CheckFailedException($"{service} in {env} is already managed: nothing to dry-run (roll back first to rehearse again).")), ct);
        }

        if (mode == "manual")
        {
            await Checklist.EnvironmentAsync(run, env, ct);
            await Checklist.ServiceAsync(run, env, service, ct);
        }

        await run.StepAsync("enter-shadow", $"{service} in {env}: manual -> shadow (its gates checked by Filestore)", async (_, token) =>
            mode == "shadow" ? "Already in shadow; the dry-run continues it." : await TransitionAsync(session, env, service, "shadow", token), ct);

        await run.StepAsync("shadow-commands", $"{commands} commands as {service} sends them: planned, nothing written", async (progress, token) =>
        {
            if (serviceToken is null)
            {
                return $"No simulated commands: {service}'s own client sends its shadow commands while the disk is watched.";
            }

            using var client = new ServiceApi(service, session.Target.Filestore, serviceToken);
            var folder = $"dry-run/{run.Id}";
            string? example = null;
            for (var i = 0; i < commands; i++)
            {
                var body = new { command = "put", path = $"{folder}/file-{i:000}.txt", text = $"dry-run {run.Id} file {i}\n" };
                var answer = await client.SendAsync(HttpMethod.Post, $"{route}/commands", body, idempotencyKey: $"{run.Id}-{i}", ct: token);
                if (!answer.Succeeded)
                {
                    throw new CheckFailedException($"Shadow command {i + 1} of {commands} answered {(int)answer.Status} {answer.Detail}");
                }

                if (answer.Body.GetProperty("executed").GetBoolean())
                {
                    throw new CheckFailedException($"Shadow command {i + 1} was executed: the service is not in shadow mode.");
                }

                example ??= answer.Body.TryGetProperty("change", out var plan)
                    ? $"{plan.GetProperty("kind").GetString()} {plan.GetProperty("path").GetString()} ({plan.GetProperty("size")} bytes)"
                    : null;
                progress.Report($"{i + 1} of {commands} planned");
            }

            return $"{commands} commands planned under {folder}, none written; first plan: {example ?? "(none)"}.";
        }, ct);

        await run.StepAsync("observe", $"Watch the disk for {observe.TotalSeconds:0} s while in shadow", async (progress, token) =>
        {
            await Waiting.ObserveAsync(observe, progress, token);
            return $"Watched for {observe.TotalSeconds:0} s (the watcher scans at least every 5 s).";
        }, ct);

        var state = await Checks.CutoverStateAsync(session, env, service, ct);
        foreach (var gate in new[] { "shadow-commands", "shadow-success-rate", "shadow-plans-match" })
        {
            await run.StepAsync($"gate:{gate}", $"Gate {gate} of shadow -> managed holds", (_, _) =>
                Task.FromResult(Checklist.GateOrFail(state, "managed", gate, "stay in shadow and find the cause (runbook section 'Staging dry-run')")), ct);
        }

        await run.StepAsync("no-manual-edits", "No file was changed outside Filestore during shadow, and the stores match the disk", async (progress, token) =>
        {
            var shadow = state.GetProperty("shadow");
            long Count(string name) => shadow.GetProperty(name).GetInt64();
            if (Count("unplanned") > 0 || Count("mismatched") > 0)
            {
                throw new CheckFailedException(
                    $"The shadow ledger saw {Count("unplanned")} unplanned and {Count("mismatched")} mismatched changes on disk: someone or something wrote past Filestore. "
                    + $"Find them with GET {route}/cutover/shadow/plans and the drift logs before going on.");
            }

            var stores = await Checks.ConsistentAsync(session, env, service, progress, token);
            return $"Shadow ledger: {Count("success")} planned, {Count("failed")} failed, 0 unplanned and 0 mismatched changes on disk; {stores}";
        }, ct);

        return run.Report;
    }

    public static async Task<ProcedureReport> ApproveAsync(RunbookSession session, string env, string service, string? note, CancellationToken ct = default)
    {
        var run = session.Begin("approve", env, service);
        await run.StepAsync("approval", $"Record the approval of shadow -> managed for {service} in {env}", async (_, token) =>
        {
            var answer = await session.Filestore.SendAsync(HttpMethod.Post, $"{Checks.ServiceRoute(env, service)}/cutover/approval", new { note }, ct: token);
            return answer.Succeeded
                ? $"Approved by {answer.Body.GetProperty("by").GetString()} at {answer.Body.GetProperty("at").GetString()}{(note is null ? string.Empty : $": {note}")}."
                : throw new CheckFailedException($"Approval refused: {(int)answer.Status} {answer.Detail}");
        }, ct);
        return run.Report;
    }

    /// <summary>Asks Filestore for a transition; a refusal names every failed gate with Filestore's own words.</summary>
    public static async Task<string> TransitionAsync(RunbookSession session, string env, string service, string to, CancellationToken ct, int? drainDeadlineSeconds = null)
    {
        var answer = await session.Filestore.SendAsync(HttpMethod.Post, $"{Checks.ServiceRoute(env, service)}/cutover",
            new { to, drainDeadlineSeconds }, ct: ct);
        if (answer.Succeeded)
        {
            var audit = answer.Body.TryGetProperty("audit", out var a) && a.ValueKind == JsonValueKind.Object ? a.GetProperty("id").GetString() : null;
            return $"{answer.Body.GetProperty("from").GetString()} -> {answer.Body.GetProperty("to").GetString()} switched (audit {audit}).";
        }

        if (answer.ProblemKind == "cutover-gates-failed")
        {
            var failed = answer.Body.GetProperty("failedGates").EnumerateArray()
                .Select(g => $"{g.GetProperty("name").GetString()} ({g.GetProperty("detail").GetString()})");
            throw new CheckFailedException($"Filestore refused -> {to}: {string.Join("; ", failed)}");
        }

        throw new CheckFailedException($"Filestore refused -> {to}: {(int)answer.Status} {answer.Detail}");
    }

    public static string RequireServiceToken(RunbookSession session, string service) => session.Target.ServiceToken
        ?? throw new BadUsageException(
            $"Set {RunbookTarget.ServiceTokenVariable} to {service}'s own token (runbook token issue <principal>): the runbook sends {service}'s commands with it.");
}
