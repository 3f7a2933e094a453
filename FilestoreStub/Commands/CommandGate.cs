using FilestoreStub.Access;
using FilestoreStub.Changes;

namespace FilestoreStub.Commands;

/// <summary>
/// The door of the command endpoint: the operator administers Filestore but runs no commands, and a service in
/// <c>manual</c> mode takes none. Neither is a command, so neither is counted. Admitted requests carry their
/// <see cref="CommandScope"/> to the filters and the pipeline inside.
/// </summary>
public sealed class CommandGate(IServiceModes modes, AuthMetrics auth) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var principal = BearerAuthenticationHandler.FromClaims(http.User)!;
        if (principal.IsOperator)
        {
            auth.Failed("forbidden");
            return Problems.Result(StatusCodes.Status403Forbidden, "forbidden", "Forbidden",
                "The operator administers Filestore but runs no commands; use a token of a service principal the policy grants.");
        }

        var (env, service) = ((string)http.GetRouteValue("env")!, (string)http.GetRouteValue("service")!);
        var mode = await modes.ModeAsync(env, service);
        if (mode == CutoverMode.Manual)
        {
            return Problems.Result(StatusCodes.Status409Conflict, "not-cut-over", "The service is not cut over",
                $"{service} in {env} is in manual mode: it writes to disk itself and Filestore takes no commands for it. Cut it over to shadow first.");
        }

        http.Features.Set(new CommandScope(env, service, mode, principal, Correlation.IdFor(http)));
        return await next(context);
    }
}
