using Microsoft.AspNetCore.Http.HttpResults;
using SampleConsumer.Faults;
using SampleConsumer.Stores;
using SampleConsumer.Verification;

namespace SampleConsumer;

public sealed record StallRequest(int? PauseSeconds, int? DelayMs);

/// <summary>
/// The read API for verification (what the store holds for a path, totals, the consistency check with the disk),
/// open: the consumers listen on loopback inside the sandbox and hold no secrets; and the stall fault, which only the
/// operator's token may read or change, as with Filestore's own faults.
/// </summary>
public static class ConsumerEndpoints
{
    public static IEndpointRouteBuilder MapConsumerEndpoints(this IEndpointRouteBuilder app)
    {
        // The names become folders of the data directory in the consistency check: only plain names, so no spelling
        // of ".." or a separator (a backslash on Windows) can point it outside.
        var service = app.MapGroup("/envs/{env}/services/{service}").WithTags("Store")
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.Request.RouteValues is var route && IsPlainName(route["env"]) && IsPlainName(route["service"])
                    ? await next(context)
                    : TypedResults.Problem("env and service are plain names: letters, digits, '-' and '_', at most 64 characters.",
                        statusCode: StatusCodes.Status400BadRequest, title: "Not a plain name"));

        service.MapGet("/paths", async Task<Results<Ok<object>, NotFound, ProblemHttpResult>> (string env, string service, string? path, IConsumerStore store) =>
            string.IsNullOrEmpty(path)
                ? TypedResults.Problem("Give the path as ?path=a/b.txt.", statusCode: StatusCodes.Status400BadRequest, title: "No path")
                : await store.PathAsync(env, service, path) is { } known ? TypedResults.Ok(known) : TypedResults.NotFound());

        service.MapGet("/totals", async (string env, string service, IConsumerStore store) => TypedResults.Ok(await store.TotalsAsync(env, service)));

        service.MapGet("/consistency", async Task<Results<Ok<ConsistencyReport>, ProblemHttpResult>> (string env, string service, ConsistencyCheck check) =>
            check.CanCheck
                ? TypedResults.Ok(await check.RunAsync(env, service))
                : TypedResults.Problem("Consumer:DataDirectory is not set, so the disk cannot be compared.", statusCode: StatusCodes.Status409Conflict,
                    title: "No data directory"));

        var stall = app.MapGroup("/stall").WithTags("Faults").AddEndpointFilter<OperatorOnly>();

        stall.MapGet("/", (Stall fault) => TypedResults.Ok(fault.Current));

        stall.MapPut("/", async Task<Results<Ok<StallSettings>, ValidationProblem>> (StallRequest request, Stall fault, TimeProvider time) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (request.PauseSeconds is < 0 or > 3600)
            {
                errors["pauseSeconds"] = ["pauseSeconds must be from 0 to 3600."];
            }

            if (request.DelayMs is < 0 or > 60_000)
            {
                errors["delayMs"] = ["delayMs must be from 0 to 60000."];
            }

            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors);
            }

            var settings = new StallSettings(request.PauseSeconds is > 0 and var s ? time.GetUtcNow().AddSeconds(s) : null, request.DelayMs ?? 0);
            await fault.SetAsync(settings);
            return TypedResults.Ok(settings);
        });

        stall.MapDelete("/", async (Stall fault) =>
        {
            await fault.ClearAsync();
            return TypedResults.Ok(fault.Current);
        });

        return app;
    }

    private static bool IsPlainName(object? value) =>
        value is string { Length: > 0 and <= 64 } name && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
