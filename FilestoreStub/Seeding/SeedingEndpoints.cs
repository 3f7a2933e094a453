using FilestoreStub.Events;
using FilestoreStub.Roots;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Seeding;

/// <summary>Seeding a service's metadata into the consumers, and its last report. Operator only.</summary>
public static class SeedingEndpoints
{
    public static IEndpointRouteBuilder MapSeedingEndpoints(this IEndpointRouteBuilder app)
    {
        var seed = app.MapOperatorServiceGroup("/seed", "Seeding");

        seed.MapPost("/", async Task<Results<Ok<SeedReport>, ProblemHttpResult>> (
            string env, string service, Seeder seeder, HttpContext context, CancellationToken ct) =>
        {
            try
            {
                return TypedResults.Ok(await seeder.SeedAsync(env, service, Correlation.IdFor(context), ct));
            }
            catch (Exception e) when (EventPublisher.IsUnavailable(e))
            {
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Events cannot be published now", type: Problems.TypeBase + "events-unavailable");
            }
        });

        seed.MapGet("/", async Task<Results<Ok<SeedReport>, ProblemHttpResult>> (string env, string service, Seeder seeder) =>
            await seeder.LastAsync(env, service) is { } last
                ? TypedResults.Ok(last)
                : TypedResults.Problem($"{service} in {env} was never seeded.", statusCode: StatusCodes.Status404NotFound,
                    title: "Not seeded", type: Problems.TypeBase + "not-seeded"));

        return app;
    }
}
