using FilestoreStub.Access;
using FilestoreStub.Changes;
using FilestoreStub.Events;
using FilestoreStub.Roots;
using FilestoreStub.Watchers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Cutover;

/// <summary>The cutover state machine over HTTP, its audit trail, the shadow record, and the publishing switch. Operator only.</summary>
public static class CutoverEndpoints
{
    public static IEndpointRouteBuilder MapCutoverEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/envs/{env}/services", async (
            string env, ManagedRoots roots, CutoverStore store, CutoverGates gates, DriftWatchers watchers, PublishingSwitch publishing, ShadowLedger shadow) =>
        {
            var views = new List<CutoverView>();
            foreach (var service in roots.Services)
            {
                views.Add(await ViewAsync(env, service, store, gates, watchers, publishing, shadow));
            }

            return TypedResults.Ok(views);
        }).WithTags("Cutover").RequireAuthorization(AccessEndpoints.OperatorPolicy).RequireKnownEnvironment()
            .ProducesProblem(StatusCodes.Status404NotFound);

        var cutover = app.MapOperatorServiceGroup("/cutover", "Cutover");

        cutover.MapGet("/", (string env, string service, CutoverStore store, CutoverGates gates, DriftWatchers watchers, PublishingSwitch publishing, ShadowLedger shadow) =>
            ViewAsync(env, service, store, gates, watchers, publishing, shadow));

        cutover.MapPost("/", async Task<Results<Ok<TransitionOutcome>, ValidationProblem, ProblemHttpResult>> (
            string env, string service, TransitionRequest request, CutoverService machine, HttpContext context, IHostApplicationLifetime lifetime) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (!KebabCaseNames.TryParseKebabCase<CutoverMode>(request.To, out var to))
            {
                errors["to"] = [$"to must be one of {KebabCaseNames.All<CutoverMode>()}."];
            }

            if (request.DrainDeadlineSeconds is < 0 or > 3600)
            {
                errors["drainDeadlineSeconds"] = ["drainDeadlineSeconds must be from 0 to 3600."];
            }

            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            var deadline = request.DrainDeadlineSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            // Not the request's token: a caller that gives up must not abandon a rollback between its steps (watcher off,
            // publishing paused, mode still managed). The drain has its own deadline; only a stopping stub cuts it short.
            var outcome = await machine.TransitionAsync(env, service, to, context.User.Identity!.Name!, Correlation.IdFor(context), deadline,
                lifetime.ApplicationStopping);
            return outcome.Outcome switch
            {
                TransitionResult.Switched => TypedResults.Ok(outcome),
                TransitionResult.Refused => Problems.Result(StatusCodes.Status409Conflict, "cutover-gates-failed", "Gates failed",
                    $"{outcome.From.ToKebabCase()} -> {outcome.To.ToKebabCase()} refused; failed gates: {string.Join(", ", outcome.FailedGates.Select(g => g.Name))}.",
                    new Dictionary<string, object?> { ["failedGates"] = outcome.FailedGates.ToList(), ["gates"] = outcome.Gates, ["auditId"] = outcome.Audit?.Id }),
                TransitionResult.NotAllowed => Problems.Result(StatusCodes.Status409Conflict, "transition-not-allowed", "Transition not allowed",
                    $"{service} in {env} is {outcome.From.ToKebabCase()}; from there it can go to {string.Join(" or ", CutoverService.NextModes(outcome.From).Select(m => m.ToKebabCase()))}, not {outcome.To.ToKebabCase()}."),
                TransitionResult.Conflict => Problems.Result(StatusCodes.Status409Conflict, "cutover-conflict", "The mode changed meanwhile",
                    "Another transition changed the mode while this one was checked; read the state and try again."),
                TransitionResult.Failed when outcome.StoreUnavailable => StoreUnavailable(context, outcome),
                TransitionResult.Failed => Problems.Result(StatusCodes.Status500InternalServerError, "rollback-failed", "A rollback step failed",
                    $"{string.Join("; ", outcome.Steps.Where(s => s.Outcome == StepOutcome.Failed).Select(s => $"{s.Name.ToKebabCase()}: {s.Detail}"))}. The mode stays {outcome.From.ToKebabCase()}; fix the cause and roll back again.",
                    new Dictionary<string, object?> { ["steps"] = outcome.Steps, ["auditId"] = outcome.Audit?.Id }),
            };
        });

        cutover.MapPost("/approval", async Task<Results<Ok<Approval>, ProblemHttpResult>> (
            string env, string service, ApprovalRequest? request, CutoverStore store, TimeProvider time, AuthMetrics auth, HttpContext context) =>
        {
            // The shared bootstrap token is everyone's, so an approval made with it names nobody: the go/no-go must be a person's.
            if (context.User.Identity!.Name == Principal.OperatorName)
            {
                auth.Failed("forbidden");
                return Problems.Result(StatusCodes.Status403Forbidden, "approval-needs-a-person", "An approval must name a person",
                    $"The shared '{Principal.OperatorName}' token may not approve. Issue the approver a named operator token with "
                    + $"POST /access/tokens {{\"principal\":\"alice\",\"kind\":\"operator\"}} and approve with that token.");
            }

            if (await store.ModeAsync(env, service) != CutoverMode.Shadow)
            {
                return Problems.Result(StatusCodes.Status409Conflict, "not-in-shadow", "Nothing to approve",
                    $"{service} in {env} is not in shadow mode; an approval is for shadow -> managed.");
            }

            var approval = new Approval(context.User.Identity!.Name!, time.GetUtcNow(), request?.Note is { Length: > 0 } note ? note[..Math.Min(note.Length, 500)] : null);
            await store.ApproveAsync(env, service, approval);
            return TypedResults.Ok(approval);
        });

        cutover.MapGet("/audit", async (string env, string service, int? count, CutoverStore store) =>
            TypedResults.Ok(await store.AuditAsync(env, service, Math.Clamp(count ?? 50, 1, 1000))));

        cutover.MapGet("/shadow/plans", async (string env, string service, int? count, ShadowLedger shadow) =>
            TypedResults.Ok(await shadow.PlansAsync(env, service, Math.Clamp(count ?? 50, 1, 1000))));

        var publishing = app.MapOperatorServiceGroup("/publishing", "Cutover");

        publishing.MapGet("/", async (string env, string service, PublishingSwitch publishingSwitch) =>
            TypedResults.Ok(new PublishingState(env, service, !await publishingSwitch.IsPausedAsync(env, service))));

        publishing.MapPut("/", async Task<Results<Ok<PublishingState>, ValidationProblem>> (
            string env, string service, SwitchChange change, PublishingSwitch publishingSwitch) =>
        {
            if (change.Enabled is not { } enabled)
            {
                return SwitchChange.Missing();
            }

            await publishingSwitch.SetPausedAsync(env, service, !enabled);
            return TypedResults.Ok(new PublishingState(env, service, enabled));
        });

        return app;
    }

    private static async Task<CutoverView> ViewAsync(
        string env, string service, CutoverStore store, CutoverGates gates, DriftWatchers watchers, PublishingSwitch publishing, ShadowLedger shadow)
    {
        var state = await store.StateAsync(env, service);
        var next = new List<NextTransition>();
        foreach (var to in CutoverService.NextModes(state.Mode))
        {
            var checkedGates = await gates.CheckAsync(env, service, state.Mode, to);
            next.Add(new NextTransition(to, checkedGates.All(g => g.Passed), checkedGates));
        }

        return new CutoverView(env, service, state.Mode, state.Since, state.Approval, watchers.IsRunning(env, service),
            await publishing.IsPausedAsync(env, service), state.Mode == CutoverMode.Shadow ? await shadow.StatsAsync(env, service) : null, next);
    }

    // A rollback that Redis stopped part-way: retry it once Redis is back (each step can run again), with the steps so far.
    private static ProblemHttpResult StoreUnavailable(HttpContext context, TransitionOutcome outcome)
    {
        context.Response.Headers.RetryAfter = $"{Problems.StoreRetryAfterSeconds}";
        return Problems.Result(StatusCodes.Status503ServiceUnavailable, "store-unavailable", "Filestore's store is unreachable",
            $"Redis did not answer during the rollback: {string.Join("; ", outcome.Steps.Where(s => s.Outcome == StepOutcome.Failed).Select(s => $"{s.Name.ToKebabCase()}: {s.Detail}"))}. "
            + $"The mode stays {outcome.From.ToKebabCase()}; roll back again in {Problems.StoreRetryAfterSeconds} s, once Redis is back.",
            new Dictionary<string, object?> { ["steps"] = outcome.Steps });
    }
}
