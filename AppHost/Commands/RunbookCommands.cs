using Runbook.Drills;
using Runbook.Steps;
using Runbook.Targets;

namespace Sandbox.AppHost;

/// <summary>
/// Runs the runbook library's procedures for the dashboard's commands, against the sandbox as its address book
/// describes it (so only once everything is healthy), writing to the same journal as the CLI; and keeps the one
/// drill traffic a trainer can start and stop.
/// </summary>
internal sealed class RunbookCommands(string stateDirectory)
{
    private int _trafficBusy;
    private (RunbookSession Session, DrillTraffic Traffic)? _traffic;

    public static IReadOnlyList<InteractionInput> ServiceArguments(string defaultService = "billing") =>
    [
        new() { Name = "env", Label = "Environment", InputType = InputType.Choice, Required = true, Value = "staging",
            Options = [.. Runbook.Procedures.Status.Environments.Select(e => KeyValuePair.Create(e, e))] },
        Text("service", "Service", required: true, value: defaultService),
    ];

    public static InteractionInput Text(string name, string label, bool required, string? value = null) =>
        new() { Name = name, Label = label, InputType = InputType.Text, Required = required, Value = value };

    public static InteractionInput Number(string name, string label, int value) =>
        new() { Name = name, Label = label, InputType = InputType.Number, Required = true, Value = $"{value}" };

    public async Task<string> RunAsync(ExecuteCommandContext context, Func<RunbookSession, RunbookArguments, CancellationToken, Task<ProcedureReport>> run)
    {
        var args = Read(context.Arguments);
        await using var session = Session(new TextObserver());
        var report = await run(session, args, context.CancellationToken);
        return $"{report.Procedure} of {args.Env}/{args.Service}: {report.Steps.Count} steps verified; last: {report.Steps[^1].Evidence}";
    }

    public async Task<string> StartTrafficAsync(ExecuteCommandContext context)
    {
        var args = Read(context.Arguments);
        if (Interlocked.Exchange(ref _trafficBusy, 1) == 1)
        {
            return "Drill traffic is being started or stopped; try again in a moment.";
        }

        try
        {
            if (_traffic is { } running)
            {
                return $"Drill traffic is already running against {running.Traffic.Target.Env}/{running.Traffic.Target.Service}.";
            }

            var session = Session(new TextObserver());
            try
            {
                var traffic = await DrillTraffic.StartAsync(session, new DrillTarget(args.Env, args.Service), perSecond: 10, prepare: true, context.CancellationToken);
                _traffic = (session, traffic);
                return $"Drill traffic: 10 commands a second to {args.Env}/{args.Service} (managed).";
            }
            catch
            {
                await session.DisposeAsync();
                throw;
            }
        }
        finally
        {
            Volatile.Write(ref _trafficBusy, 0);
        }
    }

    public async Task<string> StopTrafficAsync()
    {
        if (Interlocked.Exchange(ref _trafficBusy, 1) == 1)
        {
            return "Drill traffic is being started or stopped; try again in a moment.";
        }

        try
        {
            if (_traffic is not { } running)
            {
                return "No drill traffic is running.";
            }

            _traffic = null;
            await running.Traffic.DisposeAsync();
            await running.Session.DisposeAsync();
            return $"Drill traffic stopped: {running.Traffic.Succeeded} commands succeeded, {running.Traffic.Failed} failed.";
        }
        finally
        {
            Volatile.Write(ref _trafficBusy, 0);
        }
    }

    /// <summary>Injects a drill's fault (the trainer watches the alert come); it aims where the drill traffic goes.</summary>
    public async Task<string> InjectAsync(DrillScenario scenario, CancellationToken ct)
    {
        await using var session = Session(new TextObserver());
        return await scenario.Inject(session, _traffic?.Traffic.Target ?? DrillScenario.DefaultTarget, ct);
    }

    public async Task<string> ClearDrillsAsync(CancellationToken ct)
    {
        await using var session = Session(new TextObserver());
        return await DrillScenario.ClearAllAsync(session, _traffic?.Traffic.Target ?? DrillScenario.DefaultTarget, ct);
    }

    /// <summary>The same call on every service of both environments (the switches a trainer flips most).</summary>
    public async Task<string> ForEveryServiceAsync(HttpMethod method, string route, object? body, CancellationToken ct)
    {
        await using var session = Session(new TextObserver());
        var done = new List<string>();
        foreach (var env in Runbook.Procedures.Status.Environments)
        {
            foreach (var service in (await session.Filestore.GetAsync($"/envs/{env}/services", ct)).EnumerateArray().Select(s => s.GetProperty("service").GetString()))
            {
                await session.Filestore.CallAsync(method, $"/envs/{env}/services/{service}/{route}", body, ct);
                done.Add($"{env}/{service}");
            }
        }

        return $"{method} {route} for {string.Join(", ", done)}";
    }

    /// <summary>One call on a consumer's API (its stall fault).</summary>
    public async Task<string> CallConsumerAsync(string consumer, HttpMethod method, string path, object? body, CancellationToken ct)
    {
        await using var session = Session(new TextObserver());
        await session.Consumer(consumer).CallAsync(method, path, body, ct);
        return $"{consumer}: {method} {path} done";
    }

    // The shared operator token from the address book: a dashboard click acts as the sandbox's operator.
    private RunbookSession Session(IRunbookObserver observer) => new(RunbookTarget.FromSandbox(stateDirectory, _ => null), observer);

    private static RunbookArguments Read(InteractionInputCollection? arguments)
    {
        string? Value(string name) => arguments is not null && arguments.TryGetByName(name, out var input) && input.Value is { Length: > 0 } v ? v.Trim() : null;
        return new RunbookArguments(Value("env") ?? "staging", Value("service") ?? "billing", Value("approver"), Value("note"),
            int.TryParse(Value("drainDeadlineSeconds"), out var seconds) ? seconds : Runbook.Procedures.Rollback.DefaultDrainDeadlineSeconds);
    }
}
