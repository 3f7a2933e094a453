using System.Diagnostics;
using System.Text.Json;
using Runbook.Targets;

namespace Runbook.Steps;

/// <summary>
/// One operator's connection to one target: the APIs the steps call, who the token belongs to, the journal the
/// steps are written to, and where progress is reported. Procedures run their steps through <see cref="Begin"/>.
/// </summary>
public sealed class RunbookSession : IAsyncDisposable
{
    private readonly Dictionary<string, ServiceApi> _consumers = [];
    private readonly Lazy<QueueInspector?> _queues;
    private string? _principal;

    public RunbookSession(RunbookTarget target, IRunbookObserver observer, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        Target = target;
        Observer = observer;
        Time = time ?? TimeProvider.System;
        Journal = new Journal(target.RecordsDirectory);
        Filestore = new ServiceApi("Filestore", target.Filestore, target.OperatorToken, handler);
        foreach (var consumer in RunbookTarget.Consumers)
        {
            if (target.ConsumerUrl(consumer) is { } url)
            {
                // The consumers' read API is open; their stall fault answers only to the operator token.
                _consumers[consumer] = new ServiceApi(consumer, url, target.ConsumerToken, handler);
            }
        }

        Prometheus = target.Prometheus is { } prometheus ? new Prometheus(new ServiceApi("Prometheus", prometheus, handler: handler, timeout: ServiceApi.MonitoringTimeout)) : null;
        _queues = new Lazy<QueueInspector?>(() => target.Redis is { Length: > 0 } redis ? new QueueInspector(redis) : null);
    }

    public RunbookTarget Target { get; }

    public IRunbookObserver Observer { get; }

    public TimeProvider Time { get; }

    public Journal Journal { get; }

    /// <summary>Filestore's API with the operator's token.</summary>
    public ServiceApi Filestore { get; }

    /// <summary>Prometheus, or null when the target has none: monitoring is missing and steps that need it say so.</summary>
    public Prometheus? Prometheus { get; }

    public ServiceApi Consumer(string name) => _consumers.TryGetValue(name, out var api)
        ? api
        : throw new BadUsageException($"No address for {name}: give --{name} URL.");

    public Prometheus RequirePrometheus() => Prometheus
        ?? throw new CheckFailedException("Monitoring is missing: no Prometheus address, so alerts and SLO budgets cannot be checked (give --prometheus URL).");

    public QueueInspector RequireQueues() => _queues.Value
        ?? throw new BadUsageException("No Redis connection: give --redis CONNECTION to read the queues.");

    /// <summary>The principal the operator token belongs to (Filestore's <c>/access/whoami</c>), asked once.</summary>
    public async Task<string> WhoAmIAsync(CancellationToken ct = default) =>
        _principal ??= (await Filestore.GetAsync("/access/whoami", ct)).GetProperty("principal").GetString()!;

    public ProcedureRun Begin(string procedure, string? env = null, string? service = null) => new(this, procedure, env, service);

    public async ValueTask DisposeAsync()
    {
        Filestore.Dispose();
        foreach (var api in _consumers.Values)
        {
            api.Dispose();
        }

        if (_queues.IsValueCreated && _queues.Value is { } queues)
        {
            await queues.DisposeAsync();
        }
    }
}

/// <summary>The steps of one procedure run: each is reported, journaled, and stops the run when its check fails.</summary>
public sealed class ProcedureRun(RunbookSession session, string procedure, string? env, string? service)
{
    private readonly List<StepResult> _steps = [];

    public string Id { get; } = $"{procedure}-{session.Time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..6]}";

    public string Procedure => procedure;

    public RunbookSession Session => session;

    public ProcedureReport Report => new(Id, procedure, env, service, [.. _steps]);

    /// <summary>Runs one step; its evidence is what the step returns. A <see cref="RunbookException"/> fails the step and the run.</summary>
    public async Task<T> StepAsync<T>(string step, string what, Func<IProgress<string>, CancellationToken, Task<(T Value, string Evidence)>> run, CancellationToken ct = default)
    {
        session.Observer.StepStarted(procedure, step, what);
        var clock = Stopwatch.StartNew();
        var by = await session.WhoAmIAsync(ct);
        try
        {
            var (value, evidence) = await run(new Progress(session.Observer, step), ct);
            await RecordAsync(step, StepOutcome.Passed, evidence, by, clock.Elapsed);
            return value;
        }
        catch (RunbookException e)
        {
            await RecordAsync(step, StepOutcome.Failed, e.Message, by, clock.Elapsed);
            throw;
        }
        catch (Exception e)
        {
            // Interrupted (Ctrl+C) or broken: the journal must not show this step, or its run, as if it had held.
            await RecordAsync(step, StepOutcome.Failed, $"interrupted: {e.GetType().Name}: {e.Message}", by, clock.Elapsed);
            throw;
        }
    }

    public Task StepAsync(string step, string what, Func<IProgress<string>, CancellationToken, Task<string>> run, CancellationToken ct = default) =>
        StepAsync<bool>(step, what, async (progress, token) => (true, await run(progress, token)), ct);

    /// <summary>Records a result that was measured elsewhere (a drill's time to page), under the same rules.</summary>
    internal async Task RecordAsync(string step, StepOutcome outcome, string evidence, string by, TimeSpan took)
    {
        var result = new StepResult(Id, procedure, step, outcome, evidence, session.Time.GetUtcNow(), by, session.Target.Name, env, service,
            Math.Round(took.TotalSeconds, 1));
        _steps.Add(result);
        await session.Journal.AppendAsync(result);
        session.Observer.StepFinished(result);
    }

    private sealed class Progress(IRunbookObserver observer, string step) : IProgress<string>
    {
        public void Report(string value) => observer.StepProgress(step, value);
    }
}

/// <summary>Polls until a condition holds, reporting the wait; every wait has a deadline.</summary>
public static class Waiting
{
    /// <summary>Waits out <paramref name="span"/> (a watch of the disk, a drill that pages nothing), reporting the time.</summary>
    public static async Task ObserveAsync(TimeSpan span, IProgress<string> progress, CancellationToken ct)
    {
        for (var waited = TimeSpan.Zero; waited < span; waited += TimeSpan.FromSeconds(1))
        {
            progress.Report($"{waited.TotalSeconds:0} s of {span.TotalSeconds:0} s");
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    public static async Task<T> UntilAsync<T>(
        string what, TimeSpan timeout, IProgress<string> progress, Func<CancellationToken, Task<(T? Value, string Status)>> probe, CancellationToken ct,
        TimeSpan? every = null)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        var last = "not checked yet";
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                var (value, status) = await probe(ct);
                if (value is not null)
                {
                    return value;
                }

                last = status;
            }
            catch (Exception e) when (e is UnreachableException or CheckFailedException or JsonException or KeyNotFoundException)
            {
                last = e.Message;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new CheckFailedException($"{what}: not seen within {timeout.TotalSeconds:0} s; last: {last}");
            }

            progress.Report($"{what}: {last} ({clock.Elapsed.TotalSeconds:0} s of {timeout.TotalSeconds:0} s)");
            await Task.Delay(every ?? TimeSpan.FromSeconds(1), ct);
        }
    }
}
