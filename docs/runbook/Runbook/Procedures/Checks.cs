using System.Globalization;
using System.Text.Json;
using Runbook.Steps;
using Runbook.Targets;

namespace Runbook.Procedures;

/// <summary>The verifications several procedures share, each written once: health, alerts, budgets, stores, queues, gates.</summary>
public static class Checks
{
    public static readonly TimeSpan ConsistencyTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The go/no-go page query of the runbook.</summary>
    public const string FiringPagesQuery = "ALERTS{alertstate=\"firing\", severity=\"page\"}";

    /// <summary>The go/no-go budget query of the runbook.</summary>
    public const string BudgetQuery = "min by (slo) (slo:error_budget_remaining:ratio)";

    public static string ServiceRoute(string env, string service) => $"/envs/{env}/services/{service}";

    /// <summary>Filestore and both consumers answer <c>/health</c> with Healthy.</summary>
    public static async Task<string> HealthyAsync(RunbookSession session, CancellationToken ct)
    {
        var states = new List<string>();
        foreach (var api in new[] { session.Filestore }.Concat(RunbookTarget.Consumers.Select(session.Consumer)))
        {
            var answer = await api.SendAsync(HttpMethod.Get, "/health", ct: ct);
            var status = HealthAnswer.Describe(answer);
            if (!answer.Succeeded || status != HealthAnswer.Healthy)
            {
                throw new CheckFailedException($"{api.Name} is not healthy: {(int)answer.Status} {status}.");
            }

            states.Add($"{api.Name} healthy");
        }

        return string.Join(", ", states) + ".";
    }

    /// <summary>No alert of severity page is firing.</summary>
    public static async Task<string> NoPageFiringAsync(RunbookSession session, CancellationToken ct)
    {
        var firing = await session.RequirePrometheus().FiringAsync(ct);
        var pages = firing.Where(a => a.Severity == "page").ToList();
        if (pages.Count > 0)
        {
            throw new CheckFailedException($"Page firing: {string.Join("; ", pages.Select(p => $"{p.Name} ({p.Where})"))}. No-go until it is resolved.");
        }

        var tickets = firing.Where(a => a.Severity != "page").Select(a => a.Name).Distinct().ToList();
        return tickets.Count == 0 ? "No alert firing." : $"No page firing; tickets firing: {string.Join(", ", tickets)}.";
    }

    /// <summary>
    /// Every SLO still has error budget left; an SLO with no measurement yet (no traffic: its ratio is NaN or infinite)
    /// has all of it.
    /// </summary>
    public static async Task<string> BudgetsLeftAsync(RunbookSession session, CancellationToken ct)
    {
        var prometheus = session.RequirePrometheus();
        var objectives = (await prometheus.QueryAsync("slo:objective:ratio", ct)).Select(o => o.Labels.GetValueOrDefault("slo", "?")).ToList();
        if (objectives.Count == 0)
        {
            throw new CheckFailedException("Prometheus records no SLO (slo:objective:ratio is empty): the SLO rules are not loaded.");
        }

        var budgets = (await prometheus.QueryAsync(BudgetQuery, ct)).Where(b => double.IsFinite(b.Value)).ToDictionary(b => b.Labels.GetValueOrDefault("slo", "?"), b => b.Value);
        var summary = string.Join(", ", objectives.Order().Select(slo =>
            budgets.TryGetValue(slo, out var left) ? $"{slo} {Percent(left)} left" : $"{slo} not measured yet (no traffic), all left"));
        return budgets.Values.Any(left => left <= 0)
            ? throw new CheckFailedException($"Error budget overspent: {summary}. No new cutover starts while a budget is spent.")
            : summary + ".";
    }

    /// <summary>Waits until both consumers' stores match the service's files on disk.</summary>
    public static async Task<string> ConsistentAsync(RunbookSession session, string env, string service, IProgress<string> progress, CancellationToken ct, TimeSpan? timeout = null)
    {
        var evidence = new List<string>();
        foreach (var consumer in RunbookTarget.Consumers)
        {
            var report = await Waiting.UntilAsync($"{consumer} consistent with {env}/{service}", timeout ?? ConsistencyTimeout, progress, async token =>
            {
                var body = await session.Consumer(consumer).GetAsync($"{ServiceRoute(env, service)}/consistency", token);
                return body.GetProperty("consistent").GetBoolean()
                    ? ((object?)body, "consistent")
                    : (null, $"{body.GetProperty("mismatches").GetArrayLength()} mismatches ({Mismatches(body)})");
            }, ct);
            var found = (JsonElement)report;
            evidence.Add($"{consumer}: 0 mismatches, {found.GetProperty("filesOnDisk").GetInt32()} files on disk");
        }

        return string.Join("; ", evidence) + ".";
    }

    /// <summary>The first few mismatches of a consistency report, for a one-line message.</summary>
    public static string Mismatches(JsonElement report) =>
        string.Join(", ", report.GetProperty("mismatches").EnumerateArray().Take(3)
            .Select(m => $"{m.GetProperty("path").GetString()} {m.GetProperty("problem").GetString()}"))
        + (report.GetProperty("mismatches").GetArrayLength() > 3 ? ", ..." : string.Empty);

    public static Task<JsonElement> CutoverStateAsync(RunbookSession session, string env, string service, CancellationToken ct) =>
        session.Filestore.GetAsync($"{ServiceRoute(env, service)}/cutover", ct);

    /// <summary>The gates of the transition to <paramref name="to"/> as the stub checks them now.</summary>
    public static IReadOnlyList<(string Name, bool Passed, string Detail)> Gates(JsonElement state, string to) =>
        state.GetProperty("next").EnumerateArray()
            .Where(n => n.GetProperty("to").GetString() == to)
            .SelectMany(n => n.GetProperty("gates").EnumerateArray())
            .Select(g => (g.GetProperty("name").GetString()!, g.GetProperty("passed").GetBoolean(), g.GetProperty("detail").GetString()!))
            .ToList();

    public static string Mode(JsonElement state) => state.GetProperty("mode").GetString()!;

    /// <summary>
    /// Both consumers applied the path's latest change: Metastore's state and Timestore's newest version carry
    /// <paramref name="sha"/> (or, when <paramref name="deleted"/>, show the path deleted).
    /// </summary>
    public static async Task<bool> BothConsumersHaveAsync(RunbookSession session, string route, string path, bool deleted, string? sha, CancellationToken ct)
    {
        var query = $"{route}/paths?path={Uri.EscapeDataString(path)}";
        var meta = await session.Consumer("metastore").SendAsync(HttpMethod.Get, query, ct: ct);
        var history = await session.Consumer("timestore").SendAsync(HttpMethod.Get, query, ct: ct);
        if (!meta.Succeeded || !history.Succeeded || history.Body.ValueKind != JsonValueKind.Array || history.Body.GetArrayLength() == 0)
        {
            return false;
        }

        var last = history.Body[history.Body.GetArrayLength() - 1];
        return deleted
            ? meta.Body.GetProperty("deleted").GetBoolean() && last.GetProperty("kind").GetString() == "deleted"
            : !meta.Body.GetProperty("deleted").GetBoolean() && meta.Body.GetProperty("sha256").GetString() == sha
              && last.GetProperty("sha256").GetString() == sha;
    }

    public static string Percent(double ratio) => ratio.ToString("0.##%", CultureInfo.InvariantCulture);
}
