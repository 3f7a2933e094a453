using Runbook.Procedures;
using Runbook.Steps;

namespace Runbook.Drills;

/// <summary>
/// Puts the sandbox back to a known state between exercises: every drill fault ended, and the SLO history erased from
/// Prometheus, so error budgets are full and burn alerts resolve. A drill spends budget on purpose (one minute of
/// 10 % failures overspends the drill profile's availability budget for a day and a half), and the go/no-go would
/// then refuse every rehearsal after it. The sandbox only: production history is evidence.
/// </summary>
public static class SandboxReset
{
    /// <summary>The SLIs' raw series and everything recorded from them.</summary>
    public static readonly string[] SloHistory =
    [
        "{__name__=~\"http_server_request_duration_seconds.*\", job=\"filestore\"}",
        "{__name__=\"filestore_commands_total\"}",
        "{__name__=~\"consumer_reconciliation_lag_seconds.*\"}",
        "{__name__=~\"slo:(sli_error|burn_rate|error_budget).+\"}",
    ];

    public static readonly TimeSpan ResolveWithin = TimeSpan.FromMinutes(3);

    public static async Task<ProcedureReport> RunAsync(RunbookSession session, CancellationToken ct = default)
    {
        session.Target.RequireSandbox("reset (it erases SLO history and ends faults)");
        var run = session.Begin("reset");
        var prometheus = session.RequirePrometheus();
        await run.StepAsync("clear-drills", "End every drill fault", (_, token) => DrillScenario.ClearAllAsync(session, DrillScenario.DefaultTarget, token), ct);
        await run.StepAsync("erase-slo-history", "Erase the SLO history from Prometheus: budgets full again", async (_, token) =>
        {
            await prometheus.DeleteSeriesAsync(SloHistory, token);
            return $"Deleted {string.Join(", ", SloHistory)} and cleaned the tombstones.";
        }, ct);
        await run.StepAsync("no-page-firing", "Every page resolved", async (progress, token) =>
        {
            await Waiting.UntilAsync("every page resolved", ResolveWithin, progress, async t =>
            {
                var pages = (await prometheus.FiringAsync(t)).Where(a => a.Severity == "page").Select(a => a.Name).Distinct().ToList();
                return pages.Count == 0 ? ((object?)pages, "none") : (null, $"still firing: {string.Join(", ", pages)}");
            }, token, TimeSpan.FromSeconds(2));
            return "No page firing.";
        }, ct);
        await run.StepAsync("slo-budgets", "Every SLO has error budget left", (_, token) => Checks.BudgetsLeftAsync(session, token), ct);
        return run.Report;
    }
}
