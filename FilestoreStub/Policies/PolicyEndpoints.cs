using FilestoreStub.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Policies;

/// <summary>IAM policies per environment: read, validate with a dry-run diff, apply, list versions, roll back. Operator only.</summary>
public static class PolicyEndpoints
{
    public static IEndpointRouteBuilder MapPolicyEndpoints(this IEndpointRouteBuilder app)
    {
        var policy = app.MapGroup("/envs/{env}/policy")
            .WithTags("Policies")
            .RequireAuthorization(AccessEndpoints.OperatorPolicy)
            .RequireKnownEnvironment();

        policy.MapGet("/", (string env, PolicyStore store) => store.CurrentAsync(env));

        policy.MapGet("/versions", (string env, PolicyStore store) => store.VersionsAsync(env));

        policy.MapPost("/validate", async (string env, PolicyRequest request, PolicyStore store) =>
        {
            var current = await store.CurrentAsync(env);
            var errors = PolicyValidation.Validate(request.Rules);
            return TypedResults.Ok(new PolicyCheck(
                errors.Count == 0, errors, errors.Count == 0 ? PolicyDiff.Between(current.Rules, request.Rules!) : null, current.Version));
        });

        policy.MapPut("/", async Task<Results<Ok<PolicyVersion>, ValidationProblem, ProblemHttpResult>> (
            string env, PolicyRequest request, PolicyStore store, HttpContext context) =>
        {
            var errors = PolicyValidation.Validate(request.Rules);
            if (errors.Count > 0)
            {
                return Problems.Invalid(errors, "The policy is not valid; nothing was applied.");
            }

            try
            {
                return TypedResults.Ok(await store.ApplyAsync(env, request.Rules!, context.User.Identity!.Name!, request.ExpectedVersion));
            }
            catch (PolicyConflictException e)
            {
                return Conflict(e);
            }
        });

        policy.MapPost("/rollback", async Task<Results<Ok<PolicyVersion>, ValidationProblem, ProblemHttpResult>> (
            string env, RollbackRequest request, PolicyStore store, HttpContext context) =>
        {
            if (request.Version is not { } version || version < 0)
            {
                return Problems.Invalid(new Dictionary<string, string[]> { ["version"] = ["version must be an applied version number (0 is the empty policy)."] });
            }

            if (await store.VersionAsync(env, version) is not { } target)
            {
                return TypedResults.Problem($"Policy version {version} of {env} does not exist.", statusCode: StatusCodes.Status404NotFound,
                    title: "No such policy version", type: Problems.TypeBase + "unknown-policy-version");
            }

            try
            {
                return TypedResults.Ok(await store.ApplyAsync(env, target.Rules, context.User.Identity!.Name!, rolledBackFrom: version));
            }
            catch (PolicyConflictException e)
            {
                return Conflict(e);
            }
        });

        return app;
    }

    private static ProblemHttpResult Conflict(PolicyConflictException e) =>
        TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "The policy changed meanwhile",
            type: Problems.TypeBase + "policy-conflict", extensions: new Dictionary<string, object?> { ["currentVersion"] = e.Current });
}
