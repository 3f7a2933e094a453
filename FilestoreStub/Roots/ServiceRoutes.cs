using FilestoreStub.Access;

namespace FilestoreStub.Roots;

/// <summary>The <c>/envs/{env}/services/{service}</c> routes: every one answers 404 for an unknown environment, then for an unknown service, first.</summary>
public static class ServiceRoutes
{
    public const string Prefix = "/envs/{env}/services/{service}";

    /// <summary>A route group under <see cref="Prefix"/> that refuses unknown services before any handler runs.</summary>
    public static RouteGroupBuilder MapServiceGroup(this IEndpointRouteBuilder app, string suffix, string tag) =>
        app.MapGroup(Prefix + suffix)
            .WithTags(tag)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireKnownEnvironment()
            .AddEndpointFilter(async (context, next) =>
            {
                var service = context.HttpContext.GetRouteValue("service") as string ?? string.Empty;
                var roots = context.HttpContext.RequestServices.GetRequiredService<ManagedRoots>();
                return roots.IsOnboarded(service) ? await next(context) : Unknown((string)context.HttpContext.GetRouteValue("env")!, service);
            });

    /// <summary>The same, for operator-only routes.</summary>
    public static RouteGroupBuilder MapOperatorServiceGroup(this IEndpointRouteBuilder app, string suffix, string tag) =>
        app.MapServiceGroup(suffix, tag).RequireAuthorization(AccessEndpoints.OperatorPolicy);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Unknown(string env, string service) =>
        Problems.Result(StatusCodes.Status404NotFound, "unknown-service", "Unknown service", $"No onboarded service '{service}' in environment '{env}'.");
}
