using System.Diagnostics;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sandbox.Tests.Slo;

/// <summary>
/// The Redis outage drills: the dashboard's (Redis stopped) and the CLI's (Redis paused); RedisUnreachable pages while
/// Redis is away and resolves once it is back by itself.
/// </summary>
[Collection(OutageSandbox.Name)]
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

    [Fact]
    public async Task The_cli_drill_pauses_redis_so_health_names_the_redis_check_pages_and_resolves_after_the_pause_ends_by_itself()
    {
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        await prometheus.UntilQuietAsync(Page, ResolveWithin);
        using var cli = RunbookCli.For(sandbox, output);

        var drill = cli.RunAsync(["drill", "redis-outage", "--timeout", "120"], timeout: TimeSpan.FromMinutes(6));
        using var http = sandbox.HttpClientFor("filestore");
        var health = await Waits.UntilAsync("filestore unhealthy during the pause", TimeSpan.FromSeconds(60), async ct =>
        {
            using var response = await http.GetAsync("/health", ct);
            return response.StatusCode == HttpStatusCode.ServiceUnavailable
                ? (await response.Content.ReadAsStringAsync(ct), "unhealthy")
                : (null, $"{(int)response.StatusCode}");
        });
        var run = (await drill).Expect(0);

        Assert.Contains("StackExchange.Redis", health, StringComparison.Ordinal);
        Assert.Matches(@"time to page: \d+ s \((RedisUnreachable|QueueGaugesAbsent)\)", run.Stdout);
        Assert.Contains("Redis answers again", run.Stdout, StringComparison.Ordinal);
        await sandbox.WaitUntilRecoveredAsync();
    }
}
