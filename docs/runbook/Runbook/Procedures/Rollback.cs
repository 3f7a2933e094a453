using System.Text.Json;
using System.Text.RegularExpressions;
using Runbook.Steps;
using Runbook.Targets;

namespace Runbook.Procedures;

/// <summary>
/// <c>managed -> manual</c> (or abandoning a shadow run): Filestore disables the watcher, stops publishing, drains
/// both queues gracefully and exports what is left, then switches. Verified afterwards: the mode, the queues from
/// Redis, the stores (every difference from the disk explained by an exported event), the audit entry.
/// </summary>
public static partial class Rollback
{
    public const int DefaultDrainDeadlineSeconds = 30;

    // How long the verification waits for jobs a consumer holds before it reports them instead.
    private static readonly TimeSpan ActiveSettle = TimeSpan.FromSeconds(30);

    /// <summary>The export files the drain wrote; replay them after the next cutover, or discard them (see the runbook).</summary>
    public sealed record Result(ProcedureReport Report, IReadOnlyList<string> ExportFiles);

    public static async Task<Result> RunAsync(RunbookSession session, string env, string service, int drainDeadlineSeconds, CancellationToken ct = default)
    {
        var run = session.Begin("rollback", env, service);
        var from = await run.StepAsync("state", $"{service} in {env} is managed or shadow", async (_, token) =>
        {
            var mode = Checks.Mode(await Checks.CutoverStateAsync(session, env, service, token));
            return mode == "manual"
                ? throw new CheckFailedException($"{service} in {env} is already manual: nothing to roll back.")
                : (mode, mode == "shadow" ? "In shadow: the rollback abandons the shadow run (no drain needed)." : "Managed: the full rollback runs.");
        }, ct);

        var exports = await run.StepAsync("roll-back", $"{from} -> manual: disable the watcher, stop publishing, drain the queues, switch", async (_, token) =>
        {
            // Filestore drains both queues inside the request: each up to the deadline plus a few seconds for active jobs.
            var answer = await session.Filestore.SendAsync(HttpMethod.Post, $"{Checks.ServiceRoute(env, service)}/cutover",
                new { to = "manual", drainDeadlineSeconds }, timeout: TimeSpan.FromSeconds((2 * (drainDeadlineSeconds + 10)) + 60), ct: token);
            var steps = answer.Body.ValueKind == JsonValueKind.Object && answer.Body.TryGetProperty("steps", out var s) ? s.EnumerateArray().ToList() : [];
            var summary = string.Join(" | ", steps.Select(step =>
                $"{step.GetProperty("name").GetString()} {step.GetProperty("outcome").GetString()}: {step.GetProperty("detail").GetString()}"));
            if (!answer.Succeeded)
            {
                throw new CheckFailedException($"Rollback failed, the mode stays {from}: {(summary.Length > 0 ? summary : answer.Detail)}");
            }

            var files = steps.Select(step => step.GetProperty("detail").GetString() ?? string.Empty)
                .SelectMany(detail => ExportFile().Matches(detail).Select(m => m.Value)).Distinct().ToList();
            return ((IReadOnlyList<string>)files, summary.Length > 0 ? summary : "Shadow run abandoned.");
        }, ct);

        await run.StepAsync("verify-mode", "Manual, watcher off, publishing paused", async (_, token) =>
        {
            var state = await Checks.CutoverStateAsync(session, env, service, token);
            var (mode, watcher, paused) = (Checks.Mode(state), state.GetProperty("watcherEnabled").GetBoolean(), state.GetProperty("publishingPaused").GetBoolean());
            return mode == "manual" && (from == "shadow" || (!watcher && paused))
                ? $"Mode manual, watcher {(watcher ? "on" : "off")}, publishing {(paused ? "paused" : "on")}: the service writes to disk itself again."
                : throw new CheckFailedException($"After the rollback: mode {mode}, watcher {(watcher ? "on" : "off")}, publishing {(paused ? "paused" : "on")}.");
        }, ct);

        if (from == "managed")
        {
            await run.StepAsync("verify-queues", $"Redis: no event of {env}/{service} left waiting, neither queue paused", (progress, token) =>
                QueuesDrainedAsync(session, env, service, progress, token), ct);
            await run.StepAsync("verify-stores", "Both stores match the disk, but for changes whose events were exported or are still held", (progress, token) =>
                StoresAccountedForAsync(session, env, service, exports, progress, token), ct);
        }

        await run.StepAsync("audit", "The audit stream records the rollback, by this operator", (_, token) =>
            Cutover.AuditedAsync(session, env, service, from, "manual", token), ct);
        return new Result(run.Report, exports);
    }

    /// <summary>
    /// The drain resumed both queues and left no event of the service waiting (the queues are shared: other services'
    /// events may flow on). Events a consumer still holds (active) are not exported: they stay in Redis and are applied
    /// when it finishes or recovers, so they are waited for a while and then reported rather than failed.
    /// </summary>
    private static async Task<string> QueuesDrainedAsync(RunbookSession session, string env, string service, IProgress<string> progress, CancellationToken ct)
    {
        var queues = session.RequireQueues();
        async Task<(int Waiting, int Held, string Paused)> LeftAsync()
        {
            var (waiting, held) = (0, 0);
            foreach (var queue in QueueInspector.EventQueues)
            {
                waiting += (await queues.EventsAsync(queue, BullMq.JobStates.Waiting)).Count(e => Of(e, env, service));
                held += (await queues.EventsAsync(queue, BullMq.JobStates.Active)).Count(e => Of(e, env, service));
            }

            var paused = string.Join(", ", (await queues.ReadAllAsync()).Where(q => q.Paused).Select(q => q.Queue));
            return (waiting, held, paused);
        }

        try
        {
            await Waiting.UntilAsync("the service's events applied", ActiveSettle, progress, async _ =>
            {
                var left = await LeftAsync();
                return left == (0, 0, string.Empty) ? ((object?)"settled", "settled") : (null, $"{left.Waiting} waiting, {left.Held} held, paused: {left.Paused}");
            }, ct);
            return $"No event of {env}/{service} waiting or held; neither queue paused.";
        }
        catch (CheckFailedException)
        {
            var (waiting, held, paused) = await LeftAsync();
            return waiting > 0 || paused.Length > 0
                ? throw new CheckFailedException($"The drain left {waiting} events of {env}/{service} waiting{(paused.Length > 0 ? $" and paused {paused}" : string.Empty)}.")
                : $"No event of {env}/{service} waiting; {held} still held by a consumer that has not finished them (stalled?): "
                  + "they stay in Redis and are applied when it recovers.";
        }
    }

    private static bool Of(string eventJson, string env, string service)
    {
        var data = JsonDocument.Parse(eventJson).RootElement;
        return data.ValueKind == JsonValueKind.Object && data.TryGetProperty("env", out var e) && e.GetString() == env
               && data.TryGetProperty("service", out var s) && s.GetString() == service;
    }

    /// <summary>
    /// Every path a consumer has wrong must have an event in the exports, or one a consumer still holds: then nothing
    /// accepted was lost, it waits in a file or in Redis. With neither, the stores must match the disk exactly.
    /// </summary>
    private static async Task<string> StoresAccountedForAsync(
        RunbookSession session, string env, string service, IReadOnlyList<string> exports, IProgress<string> progress, CancellationToken ct)
    {
        var held = new List<string>();
        foreach (var queue in QueueInspector.EventQueues)
        {
            held.AddRange(await session.RequireQueues().EventsAsync(queue, BullMq.JobStates.Active));
        }

        if (exports.Count == 0 && held.Count == 0)
        {
            return "Nothing was exported or is still held; " + await Checks.ConsistentAsync(session, env, service, progress, ct);
        }

        var exported = new HashSet<string>();
        void Explain(JsonElement data)
        {
            if (data.ValueKind == JsonValueKind.Object && data.GetProperty("env").GetString() == env && data.GetProperty("service").GetString() == service)
            {
                exported.Add(data.GetProperty("path").GetString()!);
                if (data.TryGetProperty("previousPath", out var previous) && previous.GetString() is { } p)
                {
                    exported.Add(p);
                }
            }
        }

        foreach (var file in exports.Where(File.Exists))
        {
            foreach (var line in await File.ReadAllLinesAsync(file, ct))
            {
                if (line.Length > 0)
                {
                    Explain(JsonDocument.Parse(line).RootElement.GetProperty("data"));
                }
            }
        }

        foreach (var data in held)
        {
            Explain(JsonDocument.Parse(data).RootElement);
        }

        var evidence = new List<string>();
        foreach (var consumer in RunbookTarget.Consumers)
        {
            var report = await session.Consumer(consumer).GetAsync($"{Checks.ServiceRoute(env, service)}/consistency", ct);
            var unexplained = report.GetProperty("mismatches").EnumerateArray().Select(m => m.GetProperty("path").GetString()!)
                .Where(path => !exported.Contains(path)).ToList();
            if (unexplained.Count > 0)
            {
                throw new CheckFailedException($"{consumer} differs from the disk on paths no exported or held event covers: {string.Join(", ", unexplained.Take(5))}.");
            }

            evidence.Add($"{consumer}: {report.GetProperty("mismatches").GetArrayLength()} differences, all in the exports or still held");
        }

        return $"{string.Join("; ", evidence)}; exports: {(exports.Count == 0 ? "none" : string.Join(", ", exports))}; {held.Count} events still held by a consumer.";
    }

    [GeneratedRegex(@"/\S+?\.jsonl")]
    private static partial Regex ExportFile();
}
