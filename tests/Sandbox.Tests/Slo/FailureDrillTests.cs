using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Sandbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sandbox.Tests.Slo;

/// <summary>The drill a trainer runs: command failures injected from the Aspire dashboard page within minutes; clearing them resolves the page.</summary>
[Collection(RunningSandbox.Name)]
public sealed class FailureDrillTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    private static readonly string[] PageAlerts = ["FilestoreAvailabilityFastBurn", "FilestoreCommandSuccessFastBurn"];
    private static readonly TimeSpan PageWithin = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ResolveWithin = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Injected_command_failures_page_within_five_minutes_and_clearing_them_resolves_the_page()
    {
        var commands = sandbox.App.Services.GetRequiredService<ResourceCommandService>();
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        await using var traffic = await sandbox.DrillTrafficAsync();
        try
        {
            // Other tests of this sandbox inject failures too: the page must be this drill's, so none may be firing
            // or on its way (pending) before the fault goes in.
            await prometheus.UntilQuietAsync(PageAlerts, ResolveWithin);

            var injected = await commands.ExecuteCommandAsync("filestore", "command-failures");
            Assert.True(injected.Success, injected.Message);
            var clock = Stopwatch.StartNew();

            var firing = await prometheus.UntilFiringAsync(PageAlerts, PageWithin);
            output.WriteLine($"{string.Join(", ", firing)} fired {clock.Elapsed.TotalSeconds:0} s after the fault ({traffic.Failed} failed commands)");

            var cleared = await commands.ExecuteCommandAsync("filestore", "clear-drills");
            Assert.True(cleared.Success, cleared.Message);
            clock.Restart();
            await prometheus.UntilResolvedAsync(PageAlerts, ResolveWithin);
            output.WriteLine($"resolved {clock.Elapsed.TotalSeconds:0} s after the fault was cleared");
        }
        finally
        {
            await commands.ExecuteCommandAsync("filestore", "clear-drills");
        }
    }
}
