using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Runbook.Procedures;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Startup;

/// <summary>
/// Monitoring gone: with Prometheus stopped the services keep working, and the runbook's status says at once that
/// monitoring is missing instead of waiting on it. Prometheus is started again, from its data, before the test ends.
/// </summary>
[Collection(OutageSandbox.Name)]
public sealed class PrometheusStoppedTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task With_prometheus_stopped_the_services_keep_working_and_the_status_says_monitoring_is_missing()
    {
        var commands = sandbox.App.Services.GetRequiredService<ResourceCommandService>();
        var stopped = await commands.ExecuteCommandAsync("prometheus", KnownResourceCommands.StopCommand);
        Assert.True(stopped.Success, stopped.Message);
        try
        {
            await using var session = sandbox.Runbook();
            var clock = Stopwatch.StartNew();
            var status = await Status.ReadAsync(session);

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"status took {clock.Elapsed.TotalSeconds:0} s without Prometheus");
            Assert.Contains(status.Problems, p => p.StartsWith("monitoring is missing", StringComparison.Ordinal));
            Assert.Contains(status.Components, c => c.Name == "Prometheus" && c.Health == "unreachable");
            Assert.All(status.Components.Where(c => c.Name != "Prometheus"), c => Assert.Equal("Healthy", c.Health));
            using var filestore = await sandbox.FilestoreOperatorAsync();
            using var services = await filestore.GetAsync("/envs/staging/services");
            Assert.True(services.IsSuccessStatusCode, $"{(int)services.StatusCode}");
        }
        finally
        {
            var started = await commands.ExecuteCommandAsync("prometheus", KnownResourceCommands.StartCommand);
            Assert.True(started.Success, started.Message);
            using var prometheus = sandbox.HttpClientFor("prometheus");
            await Waits.UntilAsync("Prometheus ready again", Waits.ResourceHealthy, async ct =>
            {
                using var ready = await prometheus.GetAsync("/-/ready", ct);
                return (ready.IsSuccessStatusCode ? "ready" : null, $"{(int)ready.StatusCode}");
            });
        }
    }
}
