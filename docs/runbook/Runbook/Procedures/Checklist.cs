using System.Text.Json;
using Runbook.Steps;
using Runbook.Targets;

namespace Runbook.Procedures;

/// <summary>
/// The per-environment checklist of the runbook, verified: Filestore and the consumers healthy, no page firing, SLO
/// budgets left, then per service the IAM policy, a live service token, the seeding, the stores consistent with the
/// disk, the drift watcher proven by a probe write and its drift event, and publishing on. Read-only but for the
/// probe, which Filestore writes and removes itself.
/// </summary>
public static class Checklist
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(60);

    public static async Task<ProcedureReport> RunAsync(RunbookSession session, string env, IReadOnlyList<string>? services = null, CancellationToken ct = default)
    {
        var run = session.Begin("checklist", env, services is [var only] ? only : null);
        await EnvironmentAsync(run, env, ct);
        foreach (var service in services is { Count: > 0 } ? services : await ServicesAsync(session, env, ct))
        {
            await ServiceAsync(run, env, service, ct);
        }

        return run.Report;
    }

    /// <summary>The onboarded services of an environment, as Filestore lists them.</summary>
    public static async Task<IReadOnlyList<string>> ServicesAsync(RunbookSession session, string env, CancellationToken ct) =>
        (await session.Filestore.GetAsync($"/envs/{env}/services", ct)).EnumerateArray().Select(s => s.GetProperty("service").GetString()!).ToList();

    /// <summary>The items that hold for the whole environment.</summary>
    public static async Task EnvironmentAsync(ProcedureRun run, string env, CancellationToken ct)
    {
        var session = run.Session;
        await run.StepAsync("healthy", $"Filestore, metastore and timestore of {env} answer healthy", (_, token) => Checks.HealthyAsync(session, token), ct);
        await run.StepAsync("no-page-firing", "No page alert is firing", (_, token) => Checks.NoPageFiringAsync(session, token), ct);
        await run.StepAsync("slo-budgets", "Every SLO has error budget left", (_, token) => Checks.BudgetsLeftAsync(session, token), ct);
    }

    /// <summary>The items of one service.</summary>
    public static async Task ServiceAsync(ProcedureRun run, string env, string service, CancellationToken ct)
    {
        var session = run.Session;
        var route = Checks.ServiceRoute(env, service);
        var state = await Checks.CutoverStateAsync(session, env, service, ct);
        var mode = Checks.Mode(state);

        await run.StepAsync($"iam-policy:{service}", $"The IAM policy of {env} grants {service} to its principal", async (_, token) =>
        {
            var policy = await session.Filestore.GetAsync($"/envs/{env}/policy", token);
            var rules = policy.GetProperty("rules").EnumerateArray().Where(r => r.GetProperty("service").GetString() == service).ToList();
            var version = policy.GetProperty("version").GetInt32();
            return rules.Count == 0
                ? throw new CheckFailedException($"Policy version {version} of {env} has no rule for {service}: runbook policy apply {env} <file>.")
                : $"Policy version {version}: " + string.Join("; ", rules.Select(r =>
                    $"{r.GetProperty("principal").GetString()} may {string.Join(", ", r.GetProperty("commands").EnumerateArray().Select(c => c.GetString()))} "
                    + $"on {string.Join(", ", r.GetProperty("prefixes").EnumerateArray().Select(p => p.GetString()))}")) + ".";
        }, ct);

        await run.StepAsync($"service-token:{service}", $"A principal granted {service} holds a live token", (_, _) =>
            Task.FromResult(mode == "manual"
                ? GateOrFail(state, "shadow", "token", $"runbook token issue <principal> (the principal of {service}'s rule)")
                : $"{service} is already {mode}: its token passed the manual -> shadow gate (see the audit)."), ct);

        await run.StepAsync($"seeded:{service}", $"{service}'s files are seeded into both consumers", async (_, token) =>
        {
            var answer = await session.Filestore.SendAsync(HttpMethod.Get, $"{route}/seed", ct: token);
            if (!answer.Succeeded || answer.Body.GetProperty("status").GetString() != "completed")
            {
                throw new CheckFailedException($"{service} in {env} is not seeded ({answer.Detail}): runbook seed {env} {service}.");
            }

            var report = answer.Body;
            return $"Seeded at {report.GetProperty("finishedAt").GetString()}: {report.GetProperty("files").GetInt32()} files, "
                   + $"{report.GetProperty("published").GetInt32()} published, {report.GetProperty("alreadyPublished").GetInt32()} already published.";
        }, ct);

        await run.StepAsync($"stores-consistent:{service}", "Metastore and Timestore match the files on disk",
            (progress, token) => Checks.ConsistentAsync(session, env, service, progress, token), ct);

        await run.StepAsync($"watcher:{service}", $"{service}'s drift watcher is on and sees a deliberate test write", async (progress, token) =>
        {
            var watcher = await session.Filestore.GetAsync($"{route}/watcher", token);
            if (!watcher.GetProperty("enabled").GetBoolean())
            {
                throw new CheckFailedException($"The drift watcher of {env}/{service} is off: runbook watcher on {env} {service}.");
            }

            return mode == "shadow"
                ? "The watcher is on; no probe in shadow mode (its write would count as an unplanned change against the plan-match gate)."
                : await ProbeAsync(session, env, service, progress, token);
        }, ct);

        await run.StepAsync($"publishing:{service}", $"{service}'s events are being published", async (_, token) =>
        {
            var publishing = await session.Filestore.GetAsync($"{route}/publishing", token);
            return publishing.GetProperty("enabled").GetBoolean()
                ? "Publishing is on."
                : throw new CheckFailedException($"Publishing of {env}/{service} is paused: runbook publishing on {env} {service}.");
        }, ct);
    }

    /// <summary>
    /// Has Filestore write a probe file behind its own back, waits until both consumers applied the drift event, then
    /// has it removed and waits for the deletion too: the watcher, the queues and the consumers all proven.
    /// </summary>
    public static async Task<string> ProbeAsync(RunbookSession session, string env, string service, IProgress<string> progress, CancellationToken ct)
    {
        var route = Checks.ServiceRoute(env, service);
        var probe = await session.Filestore.CallAsync(HttpMethod.Post, $"{route}/watcher/probe", null, ct);
        var path = probe.GetProperty("path").GetString()!;
        var sha = probe.GetProperty("sha256").GetString();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan seen;
        ApiAnswer removed;
        try
        {
            await Waiting.UntilAsync($"the drift event of {path} in both consumers", ProbeTimeout, progress, async token =>
                (await Checks.BothConsumersHaveAsync(session, route, path, deleted: false, sha, token)) ? ((object?)path, "applied") : (null, "not applied yet"), ct);
            seen = clock.Elapsed;
        }
        finally
        {
            // The probe never stays in the service's files, whether or not its event arrived.
            removed = await session.Filestore.SendAsync(HttpMethod.Delete, $"{route}/watcher/probe/{Uri.EscapeDataString(path)}", ct: CancellationToken.None);
        }

        if (!removed.Succeeded)
        {
            throw new CheckFailedException($"Filestore could not remove the probe {path}: {(int)removed.Status} {removed.Detail}");
        }

        await Waiting.UntilAsync($"the deletion of {path} in both consumers", ProbeTimeout, progress, async token =>
            (await Checks.BothConsumersHaveAsync(session, route, path, deleted: true, sha, token)) ? ((object?)path, "applied") : (null, "not applied yet"), ct);
        return $"Probe {path} written by Filestore outside its own commands; its drift event reached both consumers in {seen.TotalSeconds:0.0} s; "
               + $"removed, and the deletion reached both in {(clock.Elapsed - seen).TotalSeconds:0.0} s.";
    }

    /// <summary>The evidence of a passed gate, or the failure naming the command that fixes it.</summary>
    public static string GateOrFail(JsonElement state, string to, string gate, string fix)
    {
        var found = Checks.Gates(state, to).FirstOrDefault(g => g.Name == gate);
        return found.Name is null
            ? throw new CheckFailedException($"Filestore reports no '{gate}' gate for -> {to}.")
            : found.Passed ? found.Detail : throw new CheckFailedException($"{found.Detail} Fix: {fix}.");
    }
}
