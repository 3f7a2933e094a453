using Runbook.Procedures;

namespace Sandbox.Tests.Infrastructure;

/// <summary>The consumers' consistency check, the runbook's own (one implementation for the runbook and the tests).</summary>
public static class ConsumerChecks
{
    /// <summary>Waits until both consumers' stores match the files of the service's root (events still in flight settle first).</summary>
    public static async Task UntilConsistentAsync(SandboxFixture sandbox, string env, string service)
    {
        await using var session = sandbox.Runbook();
        await Checks.ConsistentAsync(session, env, service, new Progress<string>(), CancellationToken.None);
    }
}
