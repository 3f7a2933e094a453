using System.Net.Http.Json;
using System.Text.Json;

namespace Sandbox.Tests.Infrastructure;

/// <summary>The consumers' consistency check, as the drill and the runbook use it.</summary>
public static class ConsumerChecks
{
    public static readonly string[] Consumers = ["metastore", "timestore"];

    /// <summary>Waits until both consumers' stores match the files of the service's root (events still in flight settle first).</summary>
    public static async Task UntilConsistentAsync(SandboxFixture sandbox, string env, string service)
    {
        foreach (var consumer in Consumers)
        {
            using var client = sandbox.HttpClientFor(consumer);
            await Waits.UntilAsync($"{consumer} consistent with {env}/{service}", TimeSpan.FromSeconds(90), async ct =>
            {
                var report = await client.GetFromJsonAsync<JsonElement>($"/envs/{env}/services/{service}/consistency", ct);
                return report.GetProperty("consistent").GetBoolean()
                    ? ((object?)report, "consistent")
                    : (null, $"{report.GetProperty("mismatches").GetArrayLength()} mismatches: {report.GetProperty("mismatches")}"[..Math.Min(600, 20 + report.GetProperty("mismatches").ToString().Length)]);
            });
        }
    }
}
