using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sandbox.Tests.Slo;

/// <summary>The Redis outage drill from the dashboard: RedisUnreachable pages while Redis is down and resolves once it is back by itself.</summary>
[Collection(RunningSandbox.Name)]
public sealed class RedisOutageDrillTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    private static readonly string[] Page = ["RedisUnreachable"];
    private static readonly TimeSpan PageWithin = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ResolveWithin = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_redis_outage_pages_RedisUnreachable_and_it_resolves_when_redis_starts_again_by_itself()
    {
        var commands = sandbox.App.Services.GetRequiredService<ResourceCommandService>();
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        await prometheus.UntilQuietAsync(Page, ResolveWithin);

        var outage = new InteractionInputCollection([new InteractionInput { Name = "seconds", InputType = InputType.Number, Value = "40" }]);
        var stopped = await commands.ExecuteCommandAsync("redis", RedisOutageCommand.Name, outage);
        Assert.True(stopped.Success, stopped.Message);
        var clock = Stopwatch.StartNew();

        await prometheus.UntilFiringAsync(Page, PageWithin);
        output.WriteLine($"RedisUnreachable fired {clock.Elapsed.TotalSeconds:0} s after Redis stopped");

        await prometheus.UntilResolvedAsync(Page, ResolveWithin);
        output.WriteLine($"resolved {clock.Elapsed.TotalSeconds:0} s after Redis stopped (a 40 s outage)");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(40), "resolved before the outage ended: Redis came back early");

        await sandbox.WaitUntilRecoveredAsync();
    }
}
