using System.Diagnostics;
using Runbook.Procedures;
using Runbook.Steps;

namespace Runbook.Drills;

/// <summary>
/// Runs one failure drill end to end: checks nothing of it is firing yet, injects the fault, waits (showing the
/// alerts' states) until an expected alert fires, which is the time to page, clears the fault and waits until the
/// alert resolves. The fault is cleared whatever happens.
/// </summary>
public static class Drill
{
    public static readonly TimeSpan DefaultPageWithin = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultResolveWithin = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultObserve = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan TrafficVisibleWithin = TimeSpan.FromSeconds(45);

    public sealed record Result(ProcedureReport Report, TimeSpan? TimeToPage, string? PagedBy);

    public static async Task<Result> RunAsync(
        RunbookSession session, DrillScenario scenario, DrillTarget target, TimeSpan pageWithin, TimeSpan resolveWithin, TimeSpan observe, CancellationToken ct = default)
    {
        session.Target.RequireSandbox("A drill (it injects faults)");
        var run = session.Begin($"drill:{scenario.Name}", target.Env, target.Service);
        var prometheus = session.RequirePrometheus();

        await run.StepAsync("ready", $"Nothing of '{scenario.Name}' is firing yet{(scenario.NeedsTraffic ? " and commands are flowing" : string.Empty)}", async (progress, token) =>
        {
            var firing = (await prometheus.FiringAsync(token)).Where(a => scenario.ExpectedAlerts.Contains(a.Name)).ToList();
            if (firing.Count > 0)
            {
                throw new CheckFailedException($"{string.Join(", ", firing.Select(a => a.Name).Distinct())} is firing already: clear it first (runbook drill clear) and wait until it resolves.");
            }

            var evidence = new List<string> { "none of the expected alerts firing" };
            if (scenario.NeedsTraffic)
            {
                // Traffic started just now shows in Prometheus after two scrapes.
                object rate;
                try
                {
                    rate = await Waiting.UntilAsync("commands flowing (Prometheus)", TrafficVisibleWithin, progress, async t =>
                        await prometheus.ScalarAsync("sum(rate(filestore_commands_total[1m])) > 0", t) is { } r ? ((object?)r, "flowing") : (null, "no commands yet"), token);
                }
                catch (CheckFailedException)
                {
                    throw new CheckFailedException("No command traffic: this drill needs commands flowing; add --traffic 10, or run runbook traffic in another terminal.");
                }

                evidence.Add($"{rate:0.#} commands/s flowing");
            }

            if (scenario.NeedsManaged)
            {
                var mode = Checks.Mode(await Checks.CutoverStateAsync(session, target.Env, target.Service, token));
                evidence.Add(mode == "managed"
                    ? $"{target.Env}/{target.Service} is managed"
                    : throw new CheckFailedException($"This drill needs a managed service; {target.Env}/{target.Service} is {mode} (cut it over, or runbook traffic --prepare)."));
            }

            return string.Join("; ", evidence) + ".";
        }, ct);

        TimeSpan? timeToPage = null;
        string? pagedBy = null;
        try
        {
            await run.StepAsync("inject", scenario.Fault, (_, token) => scenario.Inject(session, target, token), ct);
            var clock = Stopwatch.StartNew();
            if (scenario.ExpectedAlerts.Count > 0)
            {
                pagedBy = await run.StepAsync("page", $"{string.Join(" or ", scenario.ExpectedAlerts)} fires", async (progress, token) =>
                {
                    var fired = await Waiting.UntilAsync($"{string.Join(" or ", scenario.ExpectedAlerts)} firing", pageWithin, progress, async t =>
                    {
                        var alerts = (await prometheus.AlertsAsync(t)).Where(a => scenario.ExpectedAlerts.Contains(a.Name)).ToList();
                        var firing = alerts.FirstOrDefault(a => a.State == "firing");
                        return firing is not null
                            ? (firing, "firing")
                            : (null, alerts.Count == 0 ? "not pending yet" : string.Join(", ", alerts.Select(a => $"{a.Name} {a.State}")));
                    }, token, TimeSpan.FromSeconds(2));
                    timeToPage = clock.Elapsed;
                    return (fired.Name, $"{fired.Name} ({fired.Where}) fired {timeToPage.Value.TotalSeconds:0} s after the fault: time to page.");
                }, ct);
            }
            else
            {
                await run.StepAsync("observe", $"This drill pages nothing by design; watch: {scenario.Watch}", async (progress, token) =>
                {
                    await Waiting.ObserveAsync(observe, progress, token);
                    var firing = (await prometheus.FiringAsync(token)).Select(a => a.Name).Distinct().ToList();
                    return $"Observed {observe.TotalSeconds:0} s; firing now: {(firing.Count == 0 ? "nothing" : string.Join(", ", firing))}.";
                }, ct);
            }
        }
        finally
        {
            await run.StepAsync("clear", $"End the fault of '{scenario.Name}'", (_, token) => scenario.Clear(session, target, token), CancellationToken.None);
        }

        if (scenario.ExpectedAlerts.Count > 0)
        {
            await run.StepAsync("resolved", $"{string.Join(" and ", scenario.ExpectedAlerts)} resolve", async (progress, token) =>
            {
                var clock = Stopwatch.StartNew();
                await Waiting.UntilAsync("the drill's alerts resolved", resolveWithin, progress, async t =>
                {
                    var still = (await prometheus.FiringAsync(t)).Where(a => scenario.ExpectedAlerts.Contains(a.Name)).Select(a => a.Name).Distinct().ToList();
                    return still.Count == 0 ? ((object?)still, "resolved") : (null, $"still firing: {string.Join(", ", still)}");
                }, token, TimeSpan.FromSeconds(2));
                return $"Resolved {clock.Elapsed.TotalSeconds:0} s after the fault was cleared.";
            }, ct);
        }

        return new Result(run.Report, timeToPage, pagedBy);
    }
}
