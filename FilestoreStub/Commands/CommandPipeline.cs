using FilestoreStub.Changes;
using FilestoreStub.Events;

namespace FilestoreStub.Commands;

/// <summary>
/// One admitted command, in one direction: a request that is not a command is refused as read; then the policy
/// (<see cref="CommandAuthorisation"/>), the idempotency key (<see cref="CommandIdempotency"/>), the disk
/// (<see cref="CommandExecution"/>: planned in <c>shadow</c>, executed in <c>managed</c>) and, for an executed
/// command, its events (<see cref="EventDelivery"/>: published, or kept in the outbox and answered 202).
/// </summary>
public sealed class CommandPipeline(CommandAuthorisation authorisation, CommandIdempotency idempotency, CommandExecution execution, EventDelivery delivery)
{
    public async Task<CommandAnswer> RunAsync(CommandInput input, HttpContext context)
    {
        var scope = CommandScope.Of(context);
        if (input.Refusal is not null)
        {
            return input.Refusal;
        }

        var command = input.Command!;
        if (await authorisation.RefusalAsync(scope.Env, scope.Service, scope.Principal, command) is { } denied)
        {
            return denied;
        }

        var (claimed, answered) = await idempotency.ClaimAsync(scope.Env, scope.Service, scope.Principal.Name, input);
        if (answered is not null)
        {
            return answered;
        }

        try
        {
            return claimed!.SettledBy(await RunClaimedAsync(scope, command, context.RequestAborted));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away before anything was changed (after a change nothing is cancelled): free the key. A
            // cancellation the caller did not ask for is the Redis client giving up on a broken connection: a 503.
            await claimed!.ReleaseAsync();
            throw;
        }
    }

    private async Task<CommandAnswer> RunClaimedAsync(CommandScope scope, FileCommand command, CancellationToken ct)
    {
        if (scope.Mode == CutoverMode.Shadow)
        {
            return execution.Plan(scope, command);
        }

        if (await delivery.IsPausedAsync(scope.Env, scope.Service))
        {
            return CommandAnswer.Problem(StatusCodes.Status503ServiceUnavailable, "publishing-paused", "Publishing is paused",
                $"Events of {scope.Service} in {scope.Env} are not being published, so commands are not executed; nothing was changed.", command.Name);
        }

        var (done, refused) = await execution.ExecuteAsync(scope, command, ct);
        if (refused is not null)
        {
            return refused;
        }

        var published = await delivery.DeliverAsync(done!.Events);
        var status = published ? StatusCodes.Status200OK : StatusCodes.Status202Accepted;
        var response = new CommandResponse(done.CommandId, scope.CorrelationId, scope.Mode, Executed: true, done.Prepared.Change,
            done.Events.Count == 0 ? null : done.Events[0].EventId, done.Events.Count, done.Events.Count == 0 ? null : published, done.At);
        return CommandAnswer.Ran(status, response, command.Name);
    }
}
