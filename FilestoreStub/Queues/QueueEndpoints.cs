using BullMq;
using FilestoreStub.Access;
using FilestoreStub.Events;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Queues;

/// <summary>
/// The two event queues: their state, pausing and resuming them with BullMQ's semantics (workers stop taking jobs;
/// producers still add), and the audit of who did either and why. Operator only.
/// </summary>
public static class QueueEndpoints
{
    private const int MaxReasonLength = 500;

    public static IEndpointRouteBuilder MapQueueEndpoints(this IEndpointRouteBuilder app)
    {
        var queues = app.MapGroup("/queues").WithTags("Queues").RequireAuthorization(AccessEndpoints.OperatorPolicy);

        queues.MapGet("/", async (QueueConnection connection, TimeProvider time) =>
        {
            var views = new List<QueueView>();
            foreach (var queue in EventQueues.All)
            {
                views.Add(await ViewAsync(new QueueOperations(connection, queue, time)));
            }

            return TypedResults.Ok(views);
        }).WithSummary("The event queues: paused, job counts, oldest waiting age");

        queues.MapPut("/{queue}/paused", async Task<Results<Ok<QueueView>, ValidationProblem, ProblemHttpResult>> (
            string queue, QueuePauseRequest request, QueueConnection connection, QueueDrain drain, QueueAudit audit, TimeProvider time, HttpContext context,
            ILogger<QueueAudit> logger) =>
        {
            if (!EventQueues.All.Contains(queue))
            {
                return Problems.Result(StatusCodes.Status404NotFound, "unknown-queue", "Unknown queue",
                    $"'{queue}' is not an event queue; use {string.Join(" or ", EventQueues.All)}.");
            }

            var errors = new Dictionary<string, string[]>();
            if (request.Paused is null)
            {
                errors["paused"] = ["paused (true or false) is required."];
            }
            else if (request.Paused.Value && string.IsNullOrWhiteSpace(request.Reason))
            {
                // A paused queue stalls a consumer; whoever finds it paused must learn why without asking around.
                errors["reason"] = ["A pause needs a reason (what it is for, and when it ends)."];
            }

            if (request.Reason is { Length: > MaxReasonLength })
            {
                errors["reason"] = [$"reason may be at most {MaxReasonLength} characters."];
            }

            if (errors.Count > 0)
            {
                return Problems.Invalid(errors, "The change is not valid; the queue was not changed.");
            }

            // A rollback's drain pauses the queue between its export and the removal of what it exported: a resume then
            // would let the consumer apply jobs that are also in the export.
            if (await drain.IsDrainingAsync(queue))
            {
                return Problems.Result(StatusCodes.Status409Conflict, "queue-draining", "The queue is being drained",
                    $"{queue} is being drained by a rollback, which pauses and resumes it itself; try again when the rollback has finished.");
            }

            var operations = new QueueOperations(connection, queue, time);
            var paused = request.Paused!.Value;
            await (paused ? operations.PauseAsync() : operations.ResumeAsync());
            var by = context.User.Identity!.Name!;
            var reason = string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim();
            var entry = await audit.AppendAsync(queue, paused ? QueueActions.Paused : QueueActions.Resumed, by, reason, Correlation.IdFor(context));
            QueueLog.Changed(logger, queue, entry.Action, by, reason ?? string.Empty, entry.CorrelationId);
            return TypedResults.Ok(await ViewAsync(operations));
        }).WithSummary("Pause or resume an event queue")
            .WithDescription("{\"paused\": true, \"reason\": \"...\"} pauses (a reason is required), {\"paused\": false} resumes; each change is "
                + "appended to the queue audit with the caller and the correlation id.");

        queues.MapGet("/audit", async (int? count, QueueAudit audit) => TypedResults.Ok(await audit.RecentAsync(Math.Clamp(count ?? 50, 1, 1000))))
            .WithSummary("Who paused, resumed or drained a queue, newest first");

        return app;
    }

    private static async Task<QueueView> ViewAsync(QueueOperations operations) =>
        new(operations.Name, await operations.IsPausedAsync(), await operations.GetJobCountsAsync(), (await operations.OldestWaitingAgeAsync()).TotalSeconds);
}

internal static partial class QueueLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue} {Action} by {By}: {Reason} (CorrelationId {CorrelationId})")]
    public static partial void Changed(ILogger logger, string queue, string action, string by, string reason, string correlationId);
}
