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
            await Waits.UntilAsync("no page before the drill", ResolveWithin, async ct =>
            {
                var early = (await prometheus.AlertsAsync("firing", ct)).Concat(await prometheus.AlertsAsync("pending", ct)).Intersect(PageAlerts).ToList();
                return (early.Count == 0 ? early : null, $"already firing or pending: {string.Join(", ", early)}");
            });

            var injected = await commands.ExecuteCommandAsync("filestore", "command-failures");
            Assert.True(injected.Success, injected.Message);
            var clock = Stopwatch.StartNew();

            var firing = await Waits.UntilAsync("a fast-burn page", PageWithin, async ct =>
            {
                var pages = (await prometheus.AlertsAsync("firing", ct)).Intersect(PageAlerts).ToList();
                return (pages.Count > 0 ? pages : null, $"firing: none of {string.Join(", ", PageAlerts)} yet");
            });
            output.WriteLine($"{string.Join(", ", firing)} fired {clock.Elapsed.TotalSeconds:0} s after the fault ({traffic.Failed} failed commands)");

            var cleared = await commands.ExecuteCommandAsync("filestore", "clear-drills");
            Assert.True(cleared.Success, cleared.Message);
            clock.Restart();
            await Waits.UntilAsync("the page to resolve", ResolveWithin, async ct =>
            {
                var still = (await prometheus.AlertsAsync("firing", ct)).Intersect(PageAlerts).ToList();
                return (still.Count == 0 ? still : null, $"still firing: {string.Join(", ", still)}");
            });
            output.WriteLine($"resolved {clock.Elapsed.TotalSeconds:0} s after the fault was cleared");
        }
        finally
        {
            await commands.ExecuteCommandAsync("filestore", "clear-drills");
        }
    }
}
