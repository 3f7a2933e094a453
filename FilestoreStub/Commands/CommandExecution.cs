using FilestoreStub.Changes;
using FilestoreStub.Events;
using FilestoreStub.Paths;

namespace FilestoreStub.Commands;

/// <summary>
/// A command against the disk: planned only (shadow mode), or executed (managed mode) under the lock of its paths,
/// announced to the drift watchers before the change and numbered into events right after it, so the numbers follow
/// the order of the changes on disk.
/// </summary>
public sealed class CommandExecution(FileCommands files, PathLocks locks, EventSequence sequence, IExpectedChanges expectations, TimeProvider time)
{
    /// <summary>What the command would change, answered and planned for the shadow ledger; nothing is written.</summary>
    public CommandAnswer Plan(CommandScope scope, FileCommand command)
    {
        var (prepared, refused) = Prepare(scope, command);
        if (refused is not null)
        {
            return refused;
        }

        var (commandId, at) = (NewCommandId(), time.GetUtcNow());
        var plan = new ShadowPlan(commandId, command.Name, scope.Principal.Name, scope.CorrelationId, prepared!.Change, at);
        var planned = new CommandResponse(commandId, scope.CorrelationId, scope.Mode, Executed: false, prepared.Change, EventId: null, Events: 0, Published: null, at);
        return CommandAnswer.Ran(StatusCodes.Status200OK, planned, command.Name, plan);
    }

    /// <summary>Carries the command out: what it changed and its events, or the refusal (nothing was changed then).</summary>
    public async Task<(ExecutedCommand? Done, CommandAnswer? Refused)> ExecuteAsync(CommandScope scope, FileCommand command, CancellationToken ct)
    {
        var (commandId, at) = (NewCommandId(), time.GetUtcNow());
        var (prepared, refused) = Prepare(scope, command);
        if (refused is not null)
        {
            return (null, refused);
        }

        (var held, prepared, refused) = await LockAsync(scope, prepared!, ct);
        if (refused is not null)
        {
            return (null, refused);
        }

        using (held)
        {
            expectations.Expect(scope.Env, scope.Service, prepared!.Effects);
            try
            {
                files.Execute(prepared);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PathRejectedException)
            {
                expectations.Withdraw(scope.Env, scope.Service, prepared.Effects);
                return (null, e is PathRejectedException rejected
                    ? CommandAnswer.Rejected(rejected, command.Name)
                    : CommandAnswer.Problem(StatusCodes.Status500InternalServerError, "command-failed", "The command failed",
                        $"The file system refused the command ({e.GetType().Name}); nothing was changed.", command.Name));
            }

            // One event per path changed: a folder move is every file under it, then the folder.
            var events = prepared.Changes.Select((change, i) => new FilestoreEvent(
                prepared.Changes.Count == 1 ? $"cmd-{commandId}" : $"cmd-{commandId}-{i}", scope.Env, scope.Service, change.Path, change.Kind,
                EventSources.Command, at.ToUnixTimeMilliseconds(), scope.CorrelationId, sequence.Next(), change.Size, change.Sha256,
                change.PreviousPath, commandId)).ToList();
            return (new ExecutedCommand(commandId, at, prepared, events), null);
        }
    }

    private static string NewCommandId() => Guid.CreateVersion7().ToString("N");

    private (PreparedCommand? Prepared, CommandAnswer? Refused) Prepare(CommandScope scope, FileCommand command)
    {
        try
        {
            return (files.Prepare(scope.Env, scope.Service, command), null);
        }
        catch (Exception e) when (e is PathRejectedException or CommandRejectedException)
        {
            return (null, CommandAnswer.Rejected(e, command.Name));
        }
    }

    // A command that waited for the lock finds the disk as the commands before it left it: the file it deletes may be
    // gone, its destination may exist, its put may now modify. So it is checked again, and planned from what is there.
    private async Task<(IDisposable? Held, PreparedCommand? Prepared, CommandAnswer? Refused)> LockAsync(
        CommandScope scope, PreparedCommand prepared, CancellationToken ct)
    {
        while (true)
        {
            var held = await locks.AcquireAsync(prepared, ct);
            var (again, refused) = Prepare(scope, prepared.Command);
            if (refused is not null)
            {
                held.Dispose();
                return (null, null, refused);
            }

            // A source that became a folder meanwhile makes a folder move, which needs every stripe: lock again for that.
            if (again!.Change.Kind == EventKinds.DirectoryRenamed && prepared.Change.Kind != EventKinds.DirectoryRenamed)
            {
                held.Dispose();
                prepared = again;
                continue;
            }

            return (held, again, null);
        }
    }
}
