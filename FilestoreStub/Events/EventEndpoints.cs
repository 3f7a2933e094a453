using FilestoreStub.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace FilestoreStub.Events;

/// <summary>Replaying a rollback export into the event queues. Operator only.</summary>
public static class EventEndpoints
{
    // What a JSON-lines file is sent as: its own type, or plain text (curl --data-binary @file -H 'Content-Type: text/plain').
    private static readonly string[] ReplayMediaTypes = ["application/x-ndjson", "text/plain"];

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/events").WithTags("Events").RequireAuthorization(AccessEndpoints.OperatorPolicy);

        events.MapPost("/replay", async Task<Results<Ok<ReplayReport>, ValidationProblem, ProblemHttpResult>> (
            bool? dryRun, EventReplay replay, IOptions<EventQueueOptions> options, HttpContext context) =>
        {
            if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
                || !ReplayMediaTypes.Contains(type.MediaType.Value, StringComparer.OrdinalIgnoreCase))
            {
                return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send the export as JSON lines",
                    $"Send the export file's content with Content-Type {string.Join(" or ", ReplayMediaTypes)}"
                    + (string.IsNullOrEmpty(context.Request.ContentType) ? "; this request has none." : $", not '{context.Request.ContentType}'."));
            }

            var limit = options.Value.MaxReplayBytes;
            if (await RequestBody.ReadAsync(context.Request, limit, context.RequestAborted) is not { } body)
            {
                return Problems.Result(StatusCodes.Status413PayloadTooLarge, "too-large", "The export is too large.",
                    $"A replay body may be at most {limit} bytes; split the export by lines (each line stands alone) or raise Events:MaxReplayBytes.");
            }

            var (lines, errors) = replay.Parse(body);
            if (errors.Count > 0)
            {
                var listed = errors.Take(EventReplay.MaxListedErrors).ToList();
                if (errors.Count > listed.Count)
                {
                    listed.Add($"{errors.Count - listed.Count} more bad lines are not listed.");
                }

                return Problems.Invalid(new Dictionary<string, string[]> { ["lines"] = [.. listed] },
                    $"{errors.Count} of {errors.Count + lines.Count} lines cannot be replayed; nothing was replayed.");
            }

            if (lines.Count == 0)
            {
                return Problems.Invalid(new Dictionary<string, string[]>
                {
                    ["body"] = ["The body holds no lines; send the content of a rollback export (<env>-<service>-<time>-<queue>.jsonl)."],
                });
            }

            var paused = await replay.PausedServicesAsync(lines);
            if (paused.Count > 0)
            {
                return Problems.Result(StatusCodes.Status409Conflict, "replay-refused", "Publishing is paused",
                    $"Publishing of {string.Join(", ", paused)} is paused, so none of the export was replayed. Replay once the service is cut over "
                    + "again: the manual -> shadow gates resume publishing.",
                    new Dictionary<string, object?> { ["paused"] = paused });
            }

            var draining = await replay.DrainingQueuesAsync(lines);
            if (draining.Count > 0)
            {
                return Problems.Result(StatusCodes.Status503ServiceUnavailable, "events-unavailable", "A queue is being drained",
                    $"{string.Join(", ", draining)} is being drained by a rollback and takes no jobs; nothing was replayed. Replay when the rollback has finished.");
            }

            try
            {
                return TypedResults.Ok(await replay.RunAsync(lines, dryRun ?? false, context.User.Identity!.Name!, Correlation.IdFor(context), context.RequestAborted));
            }
            catch (ReplayInterruptedException e)
            {
                return Problems.Result(StatusCodes.Status503ServiceUnavailable, "events-unavailable", "The replay stopped part-way",
                    $"{e.Message.TrimEnd('.')}. {e.SoFar.Replayed} jobs were replayed and {e.SoFar.AlreadyPresent} were present before it stopped; replaying the "
                    + "whole export again is safe, as an id still in its queue is not added twice.",
                    new Dictionary<string, object?> { ["soFar"] = e.SoFar });
            }
        })
        .WithSummary("Replay a rollback export")
        .WithDescription("The body is a rollback export (JSON lines: queue, id, name, data, ...). Every line is checked first (400 lists each bad "
            + "line); if publishing of any event's service is paused, 409 replay-refused. Otherwise each event goes back to its own queue only, "
            + "job id = event id; ids still in their queue are counted as alreadyPresent. dryRun=true checks and counts without adding.")
        // The body is read by hand, after authentication: declared with Accepts, routing would answer 415 before a 401.
        .AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "The content of a rollback export file: one JSON object per line.",
                Content = ReplayMediaTypes.ToDictionary(t => t, _ => new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } }),
            };
            return Task.CompletedTask;
        })
        .Produces<ReplayReport>()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }
}
