namespace FilestoreStub;

/// <summary>The environments the one stub simulates; every route and metric carries one.</summary>
public static class Environments
{
    public const string Staging = "staging";
    public const string Production = "production";

    public static readonly IReadOnlyList<string> All = [Staging, Production];

    public static bool IsKnown(string env) => All.Contains(env, StringComparer.Ordinal);

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Unknown(string env) =>
        Problems.Result(StatusCodes.Status404NotFound, "unknown-environment", "Unknown environment",
            $"'{env}' is not an environment; use {string.Join(" or ", All)}.");

    /// <summary>Answers 404 <c>unknown-environment</c> for an <c>{env}</c> route value that is not an environment, before any handler runs.</summary>
    public static TBuilder RequireKnownEnvironment<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("env") as string is { } env && IsKnown(env)
                ? await next(context)
                : Unknown(context.HttpContext.GetRouteValue("env") as string ?? string.Empty));
}
