using FilestoreStub.Access;
using FilestoreStub.Roots;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Faults;

/// <summary>Drill faults: read, set (replacing all), clear. Operator only.</summary>
public static class FaultEndpoints
{
    public static IEndpointRouteBuilder MapFaultEndpoints(this IEndpointRouteBuilder app)
    {
        var faults = app.MapGroup("/faults").WithTags("Faults").RequireAuthorization(AccessEndpoints.OperatorPolicy);

        faults.MapGet("/", (FaultStore store) => TypedResults.Ok(store.Current));

        faults.MapPut("/", async Task<Results<Ok<FaultSettings>, ValidationProblem>> (FaultRequest request, FaultStore store, ManagedRoots roots, HttpContext context) =>
        {
            var errors = Validate(request, roots);
            if (errors.Count > 0)
            {
                return Problems.Invalid(errors, "The faults are not valid; nothing was changed.");
            }

            var storm = request.DriftStorm is { } s ? new DriftStorm(s.Env!, s.Service!, s.ChangesPerSecond ?? 10) : null;
            var settings = new FaultSettings(request.CommandFailureRate ?? 0, request.AddedLatencyMs ?? 0, storm);
            await store.SetAsync(settings, context.User.Identity!.Name!);
            return TypedResults.Ok(settings);
        });

        faults.MapDelete("/", async (FaultStore store, HttpContext context) =>
        {
            await store.ClearAsync(context.User.Identity!.Name!);
            return TypedResults.Ok(store.Current);
        });

        return app;
    }

    private static Dictionary<string, string[]> Validate(FaultRequest request, ManagedRoots roots)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.CommandFailureRate is < 0 or > 1 || request.CommandFailureRate is double.NaN)
        {
            errors["commandFailureRate"] = ["commandFailureRate must be from 0 to 1."];
        }

        if (request.AddedLatencyMs is < 0 or > 10_000)
        {
            errors["addedLatencyMs"] = ["addedLatencyMs must be from 0 to 10000."];
        }

        if (request.DriftStorm is { } storm)
        {
            if (storm.Env is null || storm.Service is null || !Environments.IsKnown(storm.Env) || !roots.IsOnboarded(storm.Service))
            {
                errors["driftStorm"] = [$"driftStorm needs env ({string.Join(", ", Environments.All)}) and an onboarded service ({string.Join(", ", roots.Services)})."];
            }

            if (storm.ChangesPerSecond is < 1 or > 500)
            {
                errors["driftStorm.changesPerSecond"] = ["changesPerSecond must be from 1 to 500."];
            }
        }

        return errors;
    }

    /// <summary>Puts the drill faults (<see cref="InjectedFaults"/>) on an endpoint that takes a command.</summary>
    public static TBuilder WithInjectedFaults<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, InjectedFaults>();
}
