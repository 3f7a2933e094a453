using FilestoreStub.Commands;

namespace FilestoreStub.Faults;

/// <summary>
/// The drill faults on the command endpoint: every well-formed command waits the added latency, and the failure rate
/// fails its share with a 503 <c>injected-failure</c> before anything is looked at, as an unhealthy Filestore would.
/// Sits inside the command recording, so a failed command is counted and, in shadow mode, held against the success rate.
/// </summary>
public sealed class InjectedFaults(FaultStore faults) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var input = context.Arguments.OfType<CommandInput>().Single();
        if (input.Command is null)
        {
            // Not a command: refused as it is, faults or not.
            return await next(context);
        }

        await faults.DelayAsync(context.HttpContext.RequestAborted);
        if (faults.ShouldFail())
        {
            return CommandAnswer.Problem(StatusCodes.Status503ServiceUnavailable, "injected-failure", "Injected failure",
                "A drill fault failed this command on purpose; nothing was changed. Retry with the same key.", input.Command.Name);
        }

        return await next(context);
    }
}
