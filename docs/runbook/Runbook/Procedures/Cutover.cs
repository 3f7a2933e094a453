using System.Text.Json;
using Runbook.Steps;
using Runbook.Targets;

namespace Runbook.Procedures;

/// <summary>
/// <c>shadow -> managed</c> for one service: the go/no-go (no page, budgets, healthy, queues), Filestore's gates
/// (the approval among them), the switch, then verification: the mode, a canary command applied by both consumers,
/// the stores consistent with the disk, the audit entry.
/// </summary>
public static class Cutover
{
    /// <summary>Above this many jobs waiting, a consumer is behind: the QueueBacklogHigh alert's threshold.</summary>
    public const long BacklogLimit = 1000;

    public static async Task<ProcedureReport> RunAsync(RunbookSession session, string env, string service, CancellationToken ct = default)
    {
        var serviceToken = DryRun.RequireServiceToken(session, service);
        var route = Checks.ServiceRoute(env, service);
        var run = session.Begin("cutover", env, service);

        await run.StepAsync("in-shadow", $"{service} in {env} is in shadow, its dry-run done", async (_, token) =>
        {
            var state = await Checks.CutoverStateAsync(session, env, service, token);
            return Checks.Mode(state) switch
            {
                "shadow" => $"In shadow since {state.GetProperty("since").GetString()}.",
                var mode => throw new CheckFailedException($"{service} in {env} is {mode}, not shadow: run the dry-run first (runbook dry-run {env} {service})."),
            };
        }, ct);
        await run.StepAsync("healthy", "Filestore and the consumers answer healthy", (_, token) => Checks.HealthyAsync(session, token), ct);
        await run.StepAsync("no-page-firing", "No page alert is firing", (_, token) => Checks.NoPageFiringAsync(session, token), ct);
        await run.StepAsync("slo-budgets", "Every SLO has error budget left", (_, token) => Checks.BudgetsLeftAsync(session, token), ct);
        await run.StepAsync("queues", "Neither queue is paused or backlogged, and each has its consumer attached", async (_, _) =>
        {
            var queues = await session.RequireQueues().ReadAllAsync();
            var bad = queues.Where(q => q.Paused || q.Pending > BacklogLimit || q.Workers == 0).ToList();
            return bad.Count > 0
                ? throw new CheckFailedException($"No-go: {string.Join("; ", bad.Select(q => q.Summary))}.")
                : string.Join("; ", queues.Select(q => q.Summary)) + ".";
        }, ct);
        await run.StepAsync("gates", "Every gate of shadow -> managed holds, the approval among them", async (_, token) =>
        {
            var gates = Checks.Gates(await Checks.CutoverStateAsync(session, env, service, token), "managed");
            var failed = gates.Where(g => !g.Passed).ToList();
            return failed.Count > 0
                ? throw new CheckFailedException($"Gates not met: {string.Join("; ", failed.Select(g => $"{g.Name} ({g.Detail})"))}")
                : string.Join(" ", gates.Select(g => $"{g.Name}: {g.Detail}"));
        }, ct);
        await run.StepAsync("switch-to-managed", "shadow -> managed", (_, token) => DryRun.TransitionAsync(session, env, service, "managed", token), ct);

        await run.StepAsync("verify-mode", "Managed, with the watcher on and publishing on", async (_, token) =>
        {
            var state = await Checks.CutoverStateAsync(session, env, service, token);
            return (Checks.Mode(state), state.GetProperty("watcherEnabled").GetBoolean(), state.GetProperty("publishingPaused").GetBoolean()) switch
            {
                ("managed", true, false) => "Mode managed, watcher on, publishing on.",
                var (mode, watcher, paused) => throw new CheckFailedException($"After the switch: mode {mode}, watcher {(watcher ? "on" : "off")}, publishing {(paused ? "paused" : "on")}."),
            };
        }, ct);
        await run.StepAsync("canary", $"A canary command as {service} is written and applied by both consumers", async (progress, token) =>
        {
            using var client = new ServiceApi(service, session.Target.Filestore, serviceToken);
            var path = $"cutover-canary/{run.Id}.txt";
            var answer = await client.SendAsync(HttpMethod.Post, $"{route}/commands", new { command = "put", path, text = $"canary of {run.Id}\n" },
                idempotencyKey: run.Id, ct: token);
            if (!answer.Succeeded || !answer.Body.GetProperty("executed").GetBoolean())
            {
                throw new CheckFailedException($"The canary command was not executed: {(int)answer.Status} {answer.Detail}");
            }

            var eventId = answer.Body.GetProperty("eventId").GetString();
            var sha = answer.Body.GetProperty("change").GetProperty("sha256").GetString();
            await Waiting.UntilAsync($"the canary {path} in both consumers", Checks.ConsistencyTimeout, progress, async t =>
                await Checks.BothConsumersHaveAsync(session, route, path, deleted: false, sha, t) ? ((object?)path, "applied") : (null, "not applied yet"), token);
            return $"{path} written by Filestore (event {eventId}) and applied by metastore and timestore.";
        }, ct);
        await run.StepAsync("stores-consistent", "Metastore and Timestore match the files on disk",
            (progress, token) => Checks.ConsistentAsync(session, env, service, progress, token), ct);
        await run.StepAsync("audit", "The audit stream records the switch, by this operator", (_, token) =>
            AuditedAsync(session, env, service, "shadow", "managed", token), ct);
        return run.Report;
    }

    /// <summary>The newest audit entry is the given switch, made by this operator.</summary>
    public static async Task<string> AuditedAsync(RunbookSession session, string env, string service, string from, string to, CancellationToken ct)
    {
        var newest = (await session.Filestore.GetAsync($"{Checks.ServiceRoute(env, service)}/cutover/audit?count=1", ct)).EnumerateArray().FirstOrDefault();
        var me = await session.WhoAmIAsync(ct);
        return newest.ValueKind == JsonValueKind.Object
               && newest.GetProperty("from").GetString() == from && newest.GetProperty("to").GetString() == to
               && newest.GetProperty("outcome").GetString() == "switched" && newest.GetProperty("by").GetString() == me
            ? $"Audit {newest.GetProperty("id").GetString()}: {from} -> {to} switched by {me} at {newest.GetProperty("at").GetString()}."
            : throw new CheckFailedException($"The newest audit entry is not {from} -> {to} by {me}: {newest}");
    }
}
