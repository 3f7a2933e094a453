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
}
