using BullMq;
using FilestoreStub.Access;
using FilestoreStub.Roots;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Seeding;

/// <summary>Seeding a service's metadata into the consumers, and its last report. Operator only.</summary>
public static class SeedingEndpoints
{
    public const string CorrelationHeader = "X-Correlation-Id";

    public static IEndpointRouteBuilder MapSeedingEndpoints(this IEndpointRouteBuilder app)
    {
        var seed = app.MapGroup("/envs/{env}/services/{service}/seed")
            .WithTags("Seeding")
            .RequireAuthorization(AccessEndpoints.OperatorPolicy);

        seed.MapPost("/", async Task<Results<Ok<SeedReport>, ProblemHttpResult>> (
            string env, string service, Seeder seeder, ManagedRoots roots, HttpContext context, CancellationToken ct) =>
        {
            if (ServiceRoutes.Unknown(env, service, roots) is { } problem)
            {
                return problem;
            }

            var correlationId = context.Request.Headers[CorrelationHeader].FirstOrDefault() is { Length: > 0 and <= 128 } given
                ? given
                : Guid.NewGuid().ToString("N");
            context.Response.Headers[CorrelationHeader] = correlationId;
            try
            {
                return TypedResults.Ok(await seeder.SeedAsync(env, service, correlationId, ct));
            }
            catch (Exception e) when (e is QueueUnavailableException or QueueDrainingException)
            {
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Events cannot be published now", type: Problems.TypeBase + "events-unavailable");
            }
        });

        seed.MapGet("/", async Task<Results<Ok<SeedReport>, ProblemHttpResult>> (string env, string service, Seeder seeder, ManagedRoots roots) =>
        {
            if (ServiceRoutes.Unknown(env, service, roots) is { } problem)
            {
                return problem;
            }

            return await seeder.LastAsync(env, service) is { } last
                ? TypedResults.Ok(last)
                : TypedResults.Problem($"{service} in {env} was never seeded.", statusCode: StatusCodes.Status404NotFound,
                    title: "Not seeded", type: Problems.TypeBase + "not-seeded");
        });

        return app;
    }
}
