using System.Diagnostics;
using System.Text.Json;
using FilestoreStub.Access;
using FilestoreStub.Changes;
using FilestoreStub.Cutover;
using FilestoreStub.Events;
using FilestoreStub.Faults;
using FilestoreStub.Paths;
using FilestoreStub.Policies;
using FilestoreStub.Watchers;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Commands;

/// <summary>
/// One command request, start to end: refused in <c>manual</c>; otherwise read, validated, authorised by policy,
/// claimed by its idempotency key, then planned and recorded (<c>shadow</c>) or executed and published
/// (<c>managed</c>). Every answer is a status and a body; successes are kept for the key's retries. Counted in
/// <c>filestore_commands_total</c> and timed in <c>filestore_command_duration_seconds</c>.
/// </summary>
public sealed class CommandPipeline(
    FileCommands files, PathLocks locks, EventSequence sequence, CutoverStore cutover, PolicyStore policies, IdempotencyStore idempotency,
    ShadowLedger shadow, DriftWatchers watchers, EventPublisher publisher, EventOutbox outbox, FaultStore faults, CommandMetrics metrics, AuthMetrics auth,
    TimeProvider time, IOptions<CommandOptions> options, ILogger<CommandPipeline> logger)
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 200;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A finished answer: status, the problem or response it carries, and the command's name for the metrics.</summary>
    private sealed record Answer(int Status, IResult Result, string Command = "invalid", ShadowPlan? Plan = null)
    {
        /// <summary>Keeps or releases the idempotency key; run together with the shadow record to save a round trip.</summary>
        public Func<Task>? Settle { get; init; }
    }

    public async Task<IResult> RunAsync(string env, string service, HttpContext context)
    {
        var principal = BearerAuthenticationHandler.FromClaims(context.User)!;
        var correlationId = Correlation.IdFor(context);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId, ["Env"] = env, ["Service"] = service });
        if (principal.IsOperator)
        {
            auth.Failed("forbidden");
            return Problems.Result(StatusCodes.Status403Forbidden, "forbidden", "Forbidden",
                "The operator administers Filestore but runs no commands; use a token of a service principal the policy grants.");
        }

        var mode = await cutover.ModeAsync(env, service);
        if (mode == CutoverModes.Manual)
        {
            return Problems.Result(StatusCodes.Status409Conflict, "not-cut-over", "The service is not cut over",
                $"{service} in {env} is in manual mode: it writes to disk itself and Filestore takes no commands for it. Cut it over to shadow first.");
        }

        var started = Stopwatch.GetTimestamp();
        var answer = await AnswerAsync(env, service, mode, principal, correlationId, context);
        var outcome = CommandOutcomes.Of(answer.Status);
        await Task.WhenAll(
            answer.Settle?.Invoke() ?? Task.CompletedTask,
            mode == CutoverModes.Shadow && answer.Result is not ReplayResult ? shadow.RecordAsync(env, service, outcome, answer.Plan) : Task.CompletedTask);
        metrics.Record(env, service, answer.Command, outcome, mode, Stopwatch.GetElapsedTime(started));

        // Failures are what an on-call engineer searches for by correlation id, so they are logged at the default level.
        if (answer.Status >= StatusCodes.Status500InternalServerError)
        {
            CommandLog.Failed(logger, answer.Command, answer.Status, mode, principal.Name);
        }
        else
        {
            CommandLog.Answered(logger, answer.Command, answer.Status, mode, principal.Name);
        }
        return answer.Result;
    }

    private async Task<Answer> AnswerAsync(string env, string service, string mode, Principal principal, string correlationId, HttpContext context)
    {
        var key = context.Request.Headers[IdempotencyHeader].ToString();
        if (key.Length is 0 or > MaxKeyLength || key.Any(c => c is < ' ' or > '~'))
        {
            return Refused(StatusCodes.Status400BadRequest, Problems.Invalid(
                new Dictionary<string, string[]> { [IdempotencyHeader] = [$"Send an {IdempotencyHeader} header of 1 to {MaxKeyLength} printable ASCII characters; a retry sends the same one."] }));
        }

        var (body, tooLarge) = await CommandBody.ReadAsync(context.Request, options.Value.MaxBodyBytes, context.RequestAborted);
        if (tooLarge is not null)
        {
            return Refused(StatusCodes.Status413PayloadTooLarge, tooLarge);
        }

        var (command, invalid) = CommandBody.Parse(body!);
        if (invalid is not null)
        {
            return Refused(StatusCodes.Status400BadRequest, invalid);
        }

        // Judge the text of the paths and the policy before the disk: a caller without rights learns nothing of what exists.
        string path, destination;
        try
        {
            path = ManagedPath.Normalize(command!.Path);
            destination = command.To is null ? path : ManagedPath.Normalize(command.To);
        }
        catch (PathRejectedException e)
        {
            return Refused(StatusCodes.Status400BadRequest, PathProblem(e), command!.Name);
        }

        if (!await policies.AllowsAsync(env, principal.Name, service, command.Name, path, destination))
        {
            auth.Failed("forbidden");
            return Refused(StatusCodes.Status403Forbidden, Problems.Result(StatusCodes.Status403Forbidden, "policy-denied", "Forbidden by policy",
                $"The {env} policy does not let {principal.Name} {command.Name} '{(path == destination ? path : $"{path}' to '{destination}")}' in {service}."), command.Name);
        }

        var redisKey = IdempotencyStore.Key(env, service, principal.Name, key);
        var fingerprint = IdempotencyStore.Fingerprint(env, service, principal.Name, body);
        var claim = await idempotency.ClaimAsync(redisKey, fingerprint);
        switch (claim.Verdict)
        {
            case ClaimVerdict.Replay:
                return new Answer(claim.Status, new ReplayResult(claim.Status, claim.Response!), command.Name);
            case ClaimVerdict.Mismatch:
                return Refused(StatusCodes.Status422UnprocessableEntity, Problems.Result(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused",
                    "Idempotency key reused", $"The {IdempotencyHeader} was already used for a different command; use a new key for a new command."), command.Name);
            case ClaimVerdict.InProgress:
                return Refused(StatusCodes.Status409Conflict, Problems.Result(StatusCodes.Status409Conflict, "idempotency-in-progress",
                    "Command in progress", $"A command with this {IdempotencyHeader} is running; retry in a moment to get its answer."), command.Name);
        }

        Answer answer;
        try
        {
            answer = await RunClaimedAsync(env, service, mode, principal, correlationId, command, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The caller went away before anything was changed (after a change nothing is cancelled): free the key.
            await idempotency.ReleaseAsync(redisKey);
            throw;
        }

        return answer with
        {
            Settle = answer.Result is CommandResult done
                ? () => idempotency.CompleteAsync(redisKey, fingerprint, answer.Status, done.Json)
                : () => idempotency.ReleaseAsync(redisKey),
        };
    }

    private async Task<Answer> RunClaimedAsync(
        string env, string service, string mode, Principal principal, string correlationId, FileCommand command, CancellationToken ct)
    {
        await faults.DelayAsync(ct);
        if (faults.ShouldFail())
        {
            return Refused(StatusCodes.Status503ServiceUnavailable, Problems.Result(StatusCodes.Status503ServiceUnavailable, "injected-failure",
                "Injected failure", "A drill fault failed this command on purpose; nothing was changed. Retry with the same key."), command.Name);
        }

        var commandId = Guid.CreateVersion7().ToString("N");
        var at = time.GetUtcNow();
        PreparedCommand prepared;
        try
        {
            prepared = files.Prepare(env, service, command);
        }
        catch (Exception e) when (e is PathRejectedException or CommandRejectedException)
        {
            return Rejected(e, command.Name);
        }

        if (mode == CutoverModes.Shadow)
        {
            var plan = new ShadowPlan(commandId, command.Name, principal.Name, correlationId, prepared.Change, at);
            var planned = new CommandResponse(commandId, correlationId, mode, Executed: false, prepared.Change, EventId: null, Events: 0, Published: null, at);
            return new Answer(StatusCodes.Status200OK, new CommandResult(StatusCodes.Status200OK, planned), command.Name, plan);
        }

        return await ExecuteAsync(env, service, correlationId, commandId, at, prepared, ct);
    }

    private async Task<Answer> ExecuteAsync(
        string env, string service, string correlationId, string commandId, DateTimeOffset at, PreparedCommand prepared, CancellationToken ct)
    {
        var name = prepared.Command.Name;
        if (await publisher.IsPausedAsync(env, service))
        {
            return Refused(StatusCodes.Status503ServiceUnavailable, Problems.Result(StatusCodes.Status503ServiceUnavailable, "publishing-paused",
                "Publishing is paused", $"Events of {service} in {env} are not being published, so commands are not executed; nothing was changed."), name);
        }

        // Executed and numbered under the lock of its paths: the numbers follow the order of the changes on disk.
        List<FilestoreEvent> events;
        var (held, refused) = await LockAsync(env, service, prepared, ct);
        if (refused is not null)
        {
            return refused;
        }

        prepared = held!.Prepared;
        using (held)
        {
            watchers.Expect(env, service, prepared.Effects);
            try
            {
                files.Execute(prepared);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PathRejectedException)
            {
                watchers.Withdraw(env, service, prepared.Effects);
                return e is PathRejectedException rejected
                    ? Refused(StatusCodes.Status400BadRequest, PathProblem(rejected), name)
                    : Refused(StatusCodes.Status500InternalServerError, Problems.Result(StatusCodes.Status500InternalServerError, "command-failed",
                        "The command failed", $"The file system refused the command ({e.GetType().Name}); nothing was changed."), name);
            }

            // One event per path changed: a folder move is every file under it, then the folder.
            events = prepared.Changes.Select((change, i) => new FilestoreEvent(
                prepared.Changes.Count == 1 ? $"cmd-{commandId}" : $"cmd-{commandId}-{i}", env, service, change.Path, change.Kind,
                EventSources.Command, at.ToUnixTimeMilliseconds(), correlationId, sequence.Next(), change.Size, change.Sha256,
                change.PreviousPath, commandId)).ToList();
        }

        var published = true;
        foreach (var @event in events)
        {
            try
            {
                // Not cancelled with the request: the change is made, its event goes out even if the caller has left.
                await publisher.PublishAsync(@event, CancellationToken.None);
            }
            catch (Exception e) when (EventPublisher.IsUnavailable(e))
            {
                // The disk has changed; the event must follow. The outbox publishes it as soon as the queues take it.
                await outbox.StageAsync(@event, CancellationToken.None);
                published = false;
                CommandLog.Deferred(logger, @event.EventId, e.Message);
            }
        }

        var status = published ? StatusCodes.Status200OK : StatusCodes.Status202Accepted;
        var response = new CommandResponse(commandId, correlationId, CutoverModes.Managed, Executed: true, prepared.Change,
            events.FirstOrDefault()?.EventId, events.Count, events.Count == 0 ? null : published, at);
        return new Answer(status, new CommandResult(status, response), name);
    }

    /// <summary>The lock of a command's paths, and the command checked against the disk again under it.</summary>
    private sealed class Locked(IDisposable held, PreparedCommand prepared) : IDisposable
    {
        public PreparedCommand Prepared { get; } = prepared;

        public void Dispose() => held.Dispose();
    }

    // A command that waited for the lock finds the disk as the commands before it left it: the file it deletes may be
    // gone, its destination may exist, its put may now modify. So it is checked again, and planned from what is there.
    private async Task<(Locked? Held, Answer? Refused)> LockAsync(string env, string service, PreparedCommand prepared, CancellationToken ct)
    {
        while (true)
        {
            var held = await locks.AcquireAsync(prepared, ct);
            PreparedCommand again;
            try
            {
                again = files.Prepare(env, service, prepared.Command);
            }
            catch (Exception e) when (e is PathRejectedException or CommandRejectedException)
            {
                held.Dispose();
                return (null, Rejected(e, prepared.Command.Name));
            }

            // A source that became a folder meanwhile makes a folder move, which needs every stripe: lock again for that.
            if (again.Change.Kind == EventKinds.DirectoryRenamed && prepared.Change.Kind != EventKinds.DirectoryRenamed)
            {
                held.Dispose();
                prepared = again;
                continue;
            }

            return (new Locked(held, again), null);
        }
    }

    private static Answer Refused(int status, IResult problem, string command = "invalid") => new(status, problem, command);

    private static Answer Rejected(Exception e, string command) => e is CommandRejectedException rejected
        ? Refused(rejected.Status, Problems.Result(rejected.Status, rejected.Type, "The command cannot be applied", rejected.Message), command)
        : Refused(StatusCodes.Status400BadRequest, PathProblem((PathRejectedException)e), command);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult PathProblem(PathRejectedException e) =>
        Problems.Result(StatusCodes.Status400BadRequest, "invalid-path", "The path is not allowed", e.Message,
            new Dictionary<string, object?> { ["reason"] = e.Reason });

    /// <summary>A command's answer as JSON text, so the very same bytes can be kept for its idempotency key.</summary>
    private sealed class CommandResult(int status, CommandResponse response) : IResult
    {
        public string Json { get; } = JsonSerializer.Serialize(response, CommandPipeline.Json);

        public Task ExecuteAsync(HttpContext httpContext) => new ReplayResult(status, Json, replayed: false).ExecuteAsync(httpContext);
    }

    /// <summary>A kept answer, written as it was first written.</summary>
    private sealed class ReplayResult(int status, string json, bool replayed = true) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            if (replayed)
            {
                httpContext.Response.Headers[ReplayedHeader] = "true";
            }

            await httpContext.Response.WriteAsync(json);
        }
    }
}

internal static partial class CommandLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Command {Command} answered {Status} in {Mode} mode for {Principal}")]
    public static partial void Answered(ILogger logger, string command, int status, string mode, string principal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {Command} failed with {Status} in {Mode} mode for {Principal}")]
    public static partial void Failed(ILogger logger, string command, int status, string mode, string principal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} could not be published ({Reason}); it waits in the outbox")]
    public static partial void Deferred(ILogger logger, string eventId, string reason);
}
