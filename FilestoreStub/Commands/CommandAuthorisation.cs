using FilestoreStub.Access;
using FilestoreStub.Paths;
using FilestoreStub.Policies;

namespace FilestoreStub.Commands;

/// <summary>
/// Whether the policy lets a principal run a command: its paths are judged as text first (normalised, or refused as
/// not allowed), then against the environment's policy, before anything on disk is looked at, so a caller without
/// rights learns nothing of what exists.
/// </summary>
public sealed class CommandAuthorisation(PolicyStore policies, AuthMetrics auth)
{
    /// <summary>The refusal of the command, or null when it may run.</summary>
    public async Task<CommandAnswer?> RefusalAsync(string env, string service, Principal principal, FileCommand command)
    {
        string path, destination;
        try
        {
            path = ManagedPath.Normalize(command.Path);
            destination = command.To is null ? path : ManagedPath.Normalize(command.To);
        }
        catch (PathRejectedException e)
        {
            return CommandAnswer.Rejected(e, command.Name);
        }

        if (await policies.AllowsAsync(env, principal.Name, service, command.Name, path, destination))
        {
            return null;
        }

        auth.Failed("forbidden");
        var what = path == destination ? path : $"{path}' to '{destination}";
        return CommandAnswer.Problem(StatusCodes.Status403Forbidden, "policy-denied", "Forbidden by policy",
            $"The {env} policy does not let {principal.Name} {command.Name} '{what}' in {service}.", command.Name);
    }
}
