using System.Collections.Concurrent;
using System.Globalization;
using BullMq;
using FilestoreStub.Changes;
using FilestoreStub.Events;
using FilestoreStub.Queues;
using FilestoreStub.Roots;
using FilestoreStub.Watchers;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Cutover;

/// <summary>
/// The cutover state machine: <c>manual -> shadow -> managed</c> through their gates, <c>shadow -> manual</c> to
/// abandon a shadow run, and the rollback <c>managed -> manual</c> that disables the watcher, stops publishing,
/// drains both queues gracefully (exporting what is left) and only then switches. Every request that reaches the
/// gates is written to the audit stream, refused or not.
/// </summary>
public sealed class CutoverService(
    CutoverStore store, CutoverGates gates, ShadowLedger shadow, DriftWatchers watchers, PublishingSwitch publishing, QueueDrain drain,
    EventOutbox outbox, ICommandsInFlight commandsInFlight, QueueAudit queueAudit, IOptions<CutoverOptions> options, IOptions<ManagedRootOptions> roots, TimeProvider time, ILogger<CutoverService> logger)
{
    internal static readonly (CutoverMode From, CutoverMode To)[] Allowed =
    [
        (CutoverMode.Manual, CutoverMode.Shadow),
        (CutoverMode.Shadow, CutoverMode.Managed),
        (CutoverMode.Shadow, CutoverMode.Manual),
        (CutoverMode.Managed, CutoverMode.Manual),
    ];

    /// <summary>How long a rollback waits for running commands before it exports the outbox.</summary>
    private static readonly TimeSpan OutboxSettle = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string, string), SemaphoreSlim> _locks = new();

    /// <summary>The modes <paramref name="from"/> may move to.</summary>
    public static IEnumerable<CutoverMode> NextModes(CutoverMode from) => Allowed.Where(a => a.From == from).Select(a => a.To);

    public async Task<TransitionOutcome> TransitionAsync(
        string env, string service, CutoverMode to, string by, string correlationId, TimeSpan? drainDeadline = null, CancellationToken ct = default)
    {
        var gate = _locks.GetOrAdd((env, service), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var from = await store.ModeAsync(env, service);
            if (!Allowed.Contains((from, to)))
            {
                return new TransitionOutcome(TransitionResult.NotAllowed, from, to, [], [], null);
            }

            var checkedGates = await gates.CheckAsync(env, service, from, to);
            if (checkedGates.Any(g => !g.Passed))
            {
                var refused = await AuditAsync(env, service, by, from, to, TransitionResult.Refused, checkedGates, [], correlationId);
                CutoverLog.Refused(logger, env, service, from, to, string.Join(", ", checkedGates.Where(g => !g.Passed).Select(g => g.Name)), correlationId);
                return new TransitionOutcome(TransitionResult.Refused, from, to, checkedGates, [], refused);
            }

            if (from == CutoverMode.Managed)
            {
                return await RollBackAsync(env, service, by, correlationId, drainDeadline ?? options.Value.DrainDeadline, ct);
            }

            if (to == CutoverMode.Shadow)
            {
                await shadow.ResetAsync(env, service);
            }

            if (!await store.SwitchAsync(env, service, from, to, time.GetUtcNow()))
            {
                return new TransitionOutcome(TransitionResult.Conflict, from, to, checkedGates, [], null);
            }

            var audit = await AuditAsync(env, service, by, from, to, TransitionResult.Switched, checkedGates, [], correlationId);
            CutoverLog.Switched(logger, env, service, from, to, by, correlationId);
            return new TransitionOutcome(TransitionResult.Switched, from, to, checkedGates, [], audit);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<TransitionOutcome> RollBackAsync(string env, string service, string by, string correlationId, TimeSpan deadline, CancellationToken ct)
    {
        var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var exports = options.Value.ExportDirectory ?? Path.Combine(roots.Value.DataDirectory, "exports");
        var steps = new List<(RollbackStepName Name, Func<Task<string>> Run)>
        {
            (RollbackStepName.DisableWatcher, async () =>
            {
                await watchers.SetEnabledAsync(env, service, false);
                return "The drift watcher is off.";
            }),
            (RollbackStepName.StopPublishing, async () =>
            {
                await publishing.SetPausedAsync(env, service, true);
                return "Publishing of the service's events is paused.";
            }),
            (RollbackStepName.DrainQueues, async () =>
            {
                var reports = new List<string>();
                var reason = $"rollback of {env}/{service}";
                string ExportFileOf(string queue) => Path.Combine(Path.GetFullPath(exports), $"{env}-{service}-{stamp}-{queue}.jsonl");
                foreach (var queue in EventQueues.All)
                {
                    // A drain pauses the queue while it exports; the audit says whose rollback that was, and when it ended.
                    await queueAudit.AppendAsync(queue, QueueActions.DrainStarted, by, reason, correlationId);
                    DrainReport report;
                    try
                    {
                        report = await drain.DrainAsync(queue, deadline, ExportFileOf(queue), ct);
                    }
                    finally
                    {
                        // Also after a failed drain: either way it leaves the queue paused or not as it found it.
                        await queueAudit.AppendAsync(queue, QueueActions.DrainFinished, by, reason, correlationId);
                    }

                    reports.Add($"{queue}: {report.Processed} processed, {report.Exported} exported{(report.ExportFile is { } f ? $" to {f}" : string.Empty)}, "
                                + $"{report.StillActive} still active, {(report.Emptied ? "emptied" : "deadline reached")}");
                }

                // Commands that got past the publishing switch before it was turned off answer 202 with their event in the
                // outbox (paused publishing or a draining queue refused it). Accepted, so exported too, once they are done;
                // left in the outbox they would be published by no one until the service is cut over again.
                var settled = await commandsInFlight.WaitUntilNoneAsync(env, service, OutboxSettle, ct);
                var outboxFiles = EventQueues.All.ToDictionary(q => q, q => ExportFileOf(q).Replace(".jsonl", "-outbox.jsonl", StringComparison.Ordinal));
                if (await outbox.ExportAsync(env, service, q => outboxFiles[q], ct) is > 0 and var outboxed)
                {
                    reports.Add($"outbox: {outboxed} events exported to {string.Join(" and ", outboxFiles.Values)}");
                }

                if (!settled)
                {
                    reports.Add($"commands still running after {OutboxSettle.TotalSeconds:0} s: an event they put in the outbox later stays there");
                }

                return string.Join("; ", reports) + ".";
            }),
            (RollbackStepName.SwitchToManual, async () =>
                await store.SwitchAsync(env, service, CutoverMode.Managed, CutoverMode.Manual, time.GetUtcNow())
                    ? "The service is in manual mode: it writes to disk itself again."
                    : throw new InvalidOperationException("The mode was changed by someone else during the rollback.")),
        };

        var outcomes = new List<RollbackStep>();
        var storeUnavailable = false;
        foreach (var (name, run) in steps)
        {
            if (outcomes.Any(o => o.Outcome == StepOutcome.Failed))
            {
                outcomes.Add(new RollbackStep(name, StepOutcome.Skipped, "Not run: an earlier step failed."));
                continue;
            }

            try
            {
                outcomes.Add(new RollbackStep(name, StepOutcome.Done, await run()));
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                storeUnavailable |= Problems.IsStoreUnavailable(e);
                outcomes.Add(new RollbackStep(name, StepOutcome.Failed, e.Message));
            }

            CutoverLog.RollbackStep(logger, env, service, name, outcomes[^1].Outcome, outcomes[^1].Detail, correlationId);
        }

        var outcome = outcomes.Any(o => o.Outcome == StepOutcome.Failed) ? TransitionResult.Failed : TransitionResult.Switched;
        // With Redis away the audit cannot be written either; the answer still reports every step.
        var audit = storeUnavailable ? null : await AuditAsync(env, service, by, CutoverMode.Managed, CutoverMode.Manual, outcome, [], outcomes, correlationId);
        return new TransitionOutcome(outcome, CutoverMode.Managed, CutoverMode.Manual, [], outcomes, audit, storeUnavailable);
    }

    private Task<AuditEntry> AuditAsync(
        string env, string service, string by, CutoverMode from, CutoverMode to, TransitionResult outcome, IReadOnlyList<Gate> checkedGates,
        IReadOnlyList<RollbackStep> steps, string correlationId) =>
        store.AppendAuditAsync(env, service, new AuditEntry(string.Empty, time.GetUtcNow(), by, from, to, outcome, checkedGates, steps, correlationId));
}

internal static partial class CutoverLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Cutover of {Service} in {Env}: {From} -> {To} by {By} (CorrelationId {CorrelationId})")]
    public static partial void Switched(ILogger logger, string env, string service, CutoverMode from, CutoverMode to, string by, string correlationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cutover of {Service} in {Env}: {From} -> {To} refused, failed gates: {Gates} (CorrelationId {CorrelationId})")]
    public static partial void Refused(ILogger logger, string env, string service, CutoverMode from, CutoverMode to, string gates, string correlationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollback of {Service} in {Env}: {Step} {Outcome}: {Detail} (CorrelationId {CorrelationId})")]
    public static partial void RollbackStep(ILogger logger, string env, string service, RollbackStepName step, StepOutcome outcome, string detail, string correlationId);
}
