using System.Diagnostics;
using FilestoreStub.Changes;

namespace FilestoreStub.Commands;

/// <summary>
/// Records every command the gate admitted, whatever answered it (the pipeline, or a drill fault on the way):
/// settles its idempotency key, counts it in the shadow ledger in <c>shadow</c> mode, in
/// <c>filestore_commands_total</c> and <c>filestore_command_duration_seconds</c>, and logs it under its correlation id.
/// While the command runs it is counted in <see cref="CommandsInFlight"/>.
/// </summary>
public sealed class CommandRecording(IShadowRecorder shadow, CommandMetrics metrics, CommandsInFlight inFlight, ILogger<CommandRecording> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var scope = CommandScope.Of(context.HttpContext);
        using var logScope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = scope.CorrelationId, ["Env"] = scope.Env, ["Service"] = scope.Service,
        });
        var started = Stopwatch.GetTimestamp();
        CommandAnswer answer;
        try
        {
            using (inFlight.Enter(scope.Env, scope.Service))
            {
                answer = (CommandAnswer)(await next(context))!;
            }
        }
        catch (Exception e) when (Problems.IsStoreUnavailable(e))
        {
            // Redis out of reach: the exception handler answers 503 store-unavailable, and it counts as Filestore's failure.
            var command = context.Arguments.OfType<CommandInput>().Single().Name;
            metrics.Record(scope.Env, scope.Service, command, CommandOutcomes.Failed, scope.Mode, Stopwatch.GetElapsedTime(started));
            CommandLog.Failed(logger, command, StatusCodes.Status503ServiceUnavailable, scope.Mode, scope.Principal.Name);
            throw;
        }

        var outcome = CommandOutcomes.Of(answer.Status);
        try
        {
            await Task.WhenAll(
                answer.Settle?.Invoke() ?? Task.CompletedTask,
                scope.Mode == CutoverMode.Shadow && !answer.IsReplay ? shadow.RecordAsync(scope.Env, scope.Service, outcome, answer.Plan) : Task.CompletedTask);
        }
        catch (Exception e) when (e is not OperationCanceledException || Problems.IsStoreUnavailable(e))
        {
            // The command has been answered for real (a change made, its event published or in the outbox): say so,
            // whatever stopped the bookkeeping. A connection torn mid-write fails in more ways than Redis's own
            // exceptions (seen: the pipe's "Writing is not allowed after writer was completed"), and a 500 would tell
            // the caller that a change it made did not happen. Without its kept answer a retry waits out the claim and
            // runs again; without the record shadow counts one short.
            CommandLog.NotSettled(logger, answer.Command, answer.Status, e.Message);
        }

        metrics.Record(scope.Env, scope.Service, answer.Command, outcome, scope.Mode, Stopwatch.GetElapsedTime(started));

        // Failures are what an on-call engineer searches for by correlation id, so they are logged at the default level.
        if (answer.Status >= StatusCodes.Status500InternalServerError)
        {
            CommandLog.Failed(logger, answer.Command, answer.Status, scope.Mode, scope.Principal.Name);
        }
        else
        {
            CommandLog.Answered(logger, answer.Command, answer.Status, scope.Mode, scope.Principal.Name);
        }

        return answer;
    }
}

internal static partial class CommandLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Command {Command} answered {Status} in {Mode} mode for {Principal}")]
    public static partial void Answered(ILogger logger, string command, int status, CutoverMode mode, string principal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {Command} failed with {Status} in {Mode} mode for {Principal}")]
    public static partial void Failed(ILogger logger, string command, int status, CutoverMode mode, string principal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {Command} answered {Status}, but its idempotency key or shadow record could not be kept: {Reason}")]
    public static partial void NotSettled(ILogger logger, string command, int status, string reason);
}
