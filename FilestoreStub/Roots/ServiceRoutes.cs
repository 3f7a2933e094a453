using Microsoft.AspNetCore.Http.HttpResults;

namespace FilestoreStub.Roots;

/// <summary>The check every <c>/envs/{env}/services/{service}</c> route makes first.</summary>
public static class ServiceRoutes
{
    /// <summary>A 404 problem when the environment or the service is not known, else null.</summary>
    public static ProblemHttpResult? Unknown(string env, string service, ManagedRoots roots) =>
        !Environments.IsKnown(env) || !roots.IsOnboarded(service)
            ? TypedResults.Problem($"No onboarded service '{service}' in environment '{env}'.", statusCode: StatusCodes.Status404NotFound,
                title: "Unknown service", type: Problems.TypeBase + "unknown-service")
            : null;
}
