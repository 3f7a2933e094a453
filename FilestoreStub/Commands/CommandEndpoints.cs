using FilestoreStub.Roots;

namespace FilestoreStub.Commands;

/// <summary>The commands API: <c>POST /envs/{env}/services/{service}/commands</c>, for service principals the policy grants.</summary>
public static class CommandEndpoints
{
    /// <summary>
    /// Maps the endpoint behind its gate and its recording; what the caller adds to the returned builder (the drill
    /// faults) runs between the recording and the pipeline, so it is counted like any other answer.
    /// </summary>
    public static RouteHandlerBuilder MapCommandEndpoints(this IEndpointRouteBuilder app) =>
        app.MapServiceGroup("/commands", "Commands")
            .RequireAuthorization()
            .MapPost("/", (CommandInput input, HttpContext context, CommandPipeline pipeline) => pipeline.RunAsync(input, context))
            .WithSummary("Run a file command")
            .WithDescription(
                "put (content base64, or text), mkdir, move (to), delete on a path relative to the service's root. Needs an Idempotency-Key header; "
                + "X-Correlation-Id is taken or created. In shadow mode the plan is returned and recorded and nothing is written; in managed mode the "
                + "command is executed and its event published to both queues; in manual mode it is refused with 409 not-cut-over.")
            .Accepts<CommandRequest>("application/json")
            .Produces<CommandResponse>(StatusCodes.Status200OK)
            .Produces<CommandResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddEndpointFilter<CommandGate>()
            .AddEndpointFilter<CommandRecording>();
}
