using System.CommandLine;
using Runbook.Drills;
using Spectre.Console;

namespace RunbookCli;

/// <summary>Failure drills and the traffic they need, for trainers and for rehearsing the alert sections of the runbook.</summary>
internal static class DrillCommands
{
    public static IEnumerable<Command> All()
    {
        yield return DrillCommand();
        yield return TrafficCommand();
        yield return ResetCommand();
    }

    private static (Option<string> Env, Option<string> Service) TargetOptions() =>
        (new Option<string>("--env") { Description = "The environment the drill acts on.", DefaultValueFactory = _ => DrillScenario.DefaultTarget.Env },
         new Option<string>("--service") { Description = "The service the drill acts on.", DefaultValueFactory = _ => DrillScenario.DefaultTarget.Service });

    private static Command DrillCommand()
    {
        var scenario = new Argument<string>("scenario")
        {
            Description = $"One of: {string.Join(", ", DrillScenario.All.Select(s => s.Name))}; or 'list', or 'clear' to end every drill fault (a Redis outage ends on its own).",
        };
        var (env, service) = TargetOptions();
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the page, and again for its resolution.", DefaultValueFactory = _ => (int)Drill.DefaultPageWithin.TotalSeconds };
        var observe = new Option<int>("--observe") { Description = "Seconds to watch a drill that pages nothing.", DefaultValueFactory = _ => (int)Drill.DefaultObserve.TotalSeconds };
        var traffic = new Option<int>("--traffic")
        {
            Description = "Also send this many drill commands a second to the target during the drill (cutting it over first if needed; sandbox only).",
        };
        var command = new Command("drill", "Inject a fault, wait until its alert fires (the time to page), clear it and wait until the alert resolves.")
        {
            scenario, env, service, timeout, observe, traffic,
        };
        command.SetAction((parse, ct) =>
        {
            var name = parse.GetValue(scenario)!;
            if (name == "list")
            {
                var table = new Table().AddColumns("scenario", "fault", "expected alert", "needs");
                foreach (var s in DrillScenario.All)
                {
                    table.AddRow(s.Name, s.Fault, s.ExpectedAlerts.Count == 0 ? "none (observe)" : string.Join(", ", s.ExpectedAlerts),
                        string.Join(", ", new[] { s.NeedsTraffic ? "traffic" : null, s.NeedsManaged ? "a managed service" : null }.OfType<string>()));
                }

                AnsiConsole.Write(table);
                return Task.FromResult(0);
            }

            // Bad usage is said before any sandbox is looked for, so it is exit 2 whether or not one runs.
            if (name != "clear" && DrillScenario.All.All(s => s.Name != name))
            {
                return CliContext.Usage($"Unknown drill scenario '{name}'; known: {string.Join(", ", DrillScenario.All.Select(s => s.Name))}, list, clear.");
            }

            if (parse.GetValue(timeout) is < 10 or > 3600 || parse.GetValue(observe) is < 0 or > 3600 || parse.GetValue(traffic) is < 0 or > 200)
            {
                return CliContext.Usage("--timeout must be from 10 to 3600 seconds, --observe from 0 to 3600 and --traffic from 0 to 200 commands a second.");
            }

            return CliContext.RunAsync(parse, async (session, console, token) =>
            {
                var target = new DrillTarget(parse.GetValue(env)!, parse.GetValue(service)!);
                if (name == "clear")
                {
                    var cleared = await DrillScenario.ClearAllAsync(session, target, token);
                    console.MarkupLineInterpolated($"[green]✓[/] {cleared}");
                    return cleared;
                }

                var drill = DrillScenario.Find(name);

                var within = TimeSpan.FromSeconds(parse.GetValue(timeout));
                await using var commands = parse.GetValue(traffic) is > 0 and var rate
                    ? await DrillTraffic.StartAsync(session, target, rate, prepare: true, token)
                    : null;
                var result = await Drill.RunAsync(session, drill, target, within, within, TimeSpan.FromSeconds(parse.GetValue(observe)), token);
                if (result.TimeToPage is { } page)
                {
                    console.MarkupLineInterpolated($"[bold]time to page:[/] {page.TotalSeconds:0} s ({result.PagedBy})");
                }

                return result;
            }, ct: ct);
        });
        return command;
    }

    private static Command ResetCommand()
    {
        var command = new Command("reset", "Sandbox only: end every drill fault and erase the SLO history, so budgets are full and pages resolve (between exercises).");
        command.SetAction((parse, ct) => CliContext.RunAsync(parse, async (session, _, token) => await SandboxReset.RunAsync(session, token), ct: ct));
        return command;
    }

    private static Command TrafficCommand()
    {
        var (env, service) = TargetOptions();
        var rate = new Option<int>("--rate") { Description = "Put commands a second.", DefaultValueFactory = _ => 10 };
        var duration = new Option<int>("--duration") { Description = "Seconds to run (0: until Ctrl+C).", DefaultValueFactory = _ => 0 };
        var prepare = new Option<bool>("--prepare") { Description = "Cut the service over to managed first, if it is not (sandbox drills only)." };
        var command = new Command("traffic", "Send drill traffic (commands as <service>-drill) to a managed service of the sandbox until Ctrl+C or --duration.")
        {
            env, service, rate, duration, prepare,
        };
        command.SetAction((parse, ct) => parse.GetValue(duration) is < 0 or > 86_400 || parse.GetValue(rate) is < 1 or > 200
            ? CliContext.Usage("--duration must be from 0 to 86400 seconds and --rate from 1 to 200 commands a second.")
            : CliContext.RunAsync(parse, async (session, console, token) =>
        {
            var target = new DrillTarget(parse.GetValue(env)!, parse.GetValue(service)!);
            await using var traffic = await DrillTraffic.StartAsync(session, target, parse.GetValue(rate), parse.GetValue(prepare), token);
            var seconds = parse.GetValue(duration);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                while (seconds == 0 || clock.Elapsed.TotalSeconds < seconds)
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, seconds == 0 ? 10 : Math.Max(0.1, seconds - clock.Elapsed.TotalSeconds))), token);
                    console.MarkupLineInterpolated($"[grey]{clock.Elapsed.TotalSeconds:0} s: {traffic.Succeeded} succeeded, {traffic.Failed} failed[/]");
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Ctrl+C ends the traffic; that is how it is meant to stop.
            }

            return new { env = target.Env, service = target.Service, succeeded = traffic.Succeeded, failed = traffic.Failed, seconds = (int)clock.Elapsed.TotalSeconds };
        }, ct: ct));
        return command;
    }
}
