using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Runbook.Steps;

namespace Runbook.Procedures;

/// <summary>
/// Replays a rollback's export file once the service is cut over again: Filestore checks every line first and puts
/// each event back on the queue it came from (an event still there is not added twice; the consumers apply each
/// event once anyway). Verified by the consumers' consistency for every service the file names.
/// </summary>
public static class Replay
{
    public static async Task<ProcedureReport> RunAsync(RunbookSession session, string file, CancellationToken ct = default)
    {
        if (!File.Exists(file))
        {
            throw new BadUsageException($"No export file at {file}: the rollback's output names its files (…/exports/<env>-<service>-<time>-<queue>.jsonl).");
        }

        var text = await File.ReadAllTextAsync(file, ct);
        var services = ServicesIn(text, file);
        var run = session.Begin("replay", services is [var only] ? only.Env : null, services is [var one] ? one.Service : null);

        await run.StepAsync("check", $"Filestore checks every line of {Path.GetFileName(file)} without publishing", async (_, token) =>
            Describe(await PostAsync(session, text, dryRun: true, token), "would replay"), ct);
        await run.StepAsync("replay", "Filestore puts each event back on its own queue", async (_, token) =>
            Describe(await PostAsync(session, text, dryRun: false, token), "replayed"), ct);
        foreach (var (env, service) in services)
        {
            await run.StepAsync($"stores-consistent:{env}/{service}", $"Both consumers applied the replayed events of {env}/{service}",
                (progress, token) => Checks.ConsistentAsync(session, env, service, progress, token), ct);
        }

        return run.Report;
    }

    private static async Task<JsonElement> PostAsync(RunbookSession session, string text, bool dryRun, CancellationToken ct)
    {
        using var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        var answer = await session.Filestore.SendAsync(HttpMethod.Post, $"/events/replay?dryRun={(dryRun ? "true" : "false")}", content: content, ct: ct);
        return answer.Succeeded
            ? answer.Body
            : (int)answer.Status is 400 or 413
                ? throw new BadUsageException($"Filestore refused the file: {Errors(answer.Body) ?? answer.Detail}")
                : throw new CheckFailedException($"Filestore refused the replay: {(int)answer.Status} {answer.Detail}");
    }

    private static string? Errors(JsonElement problem) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("errors", out var errors)
            ? string.Join("; ", errors.EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(v => v.GetString())))
            : null;

    private static string Describe(JsonElement result, string verb) =>
        $"{result.GetProperty("lines").GetInt32()} lines: {result.GetProperty("replayed").GetInt32()} {verb}, "
        + $"{result.GetProperty("alreadyPresent").GetInt32()} already in their queue.";

    /// <summary>The environments and services the file's events belong to, read locally so a bad file fails before anything is sent.</summary>
    private static List<(string Env, string Service)> ServicesIn(string text, string file)
    {
        var found = new List<(string, string)>();
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            try
            {
                var data = JsonDocument.Parse(line).RootElement.GetProperty("data");
                var pair = (data.GetProperty("env").GetString()!, data.GetProperty("service").GetString()!);
                if (!found.Contains(pair))
                {
                    found.Add(pair);
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new BadUsageException($"{file} line {number} is not an exported event: {e.Message}");
            }
        }

        return found.Count > 0 ? found : throw new BadUsageException($"{file} holds no event.");
    }
}
