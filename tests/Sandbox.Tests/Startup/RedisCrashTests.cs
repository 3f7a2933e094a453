using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.Testing;
using Sandbox.Tests.Infrastructure;
using StackExchange.Redis;

namespace Sandbox.Tests.Startup;

/// <summary>
/// The crash an operator rehearses: <c>redis-server</c> killed with SIGKILL under the running sandbox. The AppHost
/// starts it again by itself, from the same append-only data, and every service reconnects without a restart.
/// </summary>
[Collection(OutageSandbox.Name)]
public sealed class RedisCrashTests(SandboxFixture sandbox)
{
    private static async Task<long?> ProcessIdAsync(ConnectionMultiplexer redis)
    {
        var info = await redis.GetServers().Single().InfoAsync("server");
        return info.SelectMany(g => g).Where(kv => kv.Key == "process_id").Select(kv => long.Parse(kv.Value, CultureInfo.InvariantCulture)).Cast<long?>().SingleOrDefault();
    }

    [Fact]
    public async Task A_killed_redis_server_is_started_again_with_its_data_and_every_service_recovers_by_itself()
    {
        var options = ConfigurationOptions.Parse((await sandbox.App.GetConnectionStringAsync("redis"))!);
        options.AbortOnConnectFail = false;
        options.AllowAdmin = true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var marker = $"crash-test:{Guid.NewGuid():N}";
        await redis.GetDatabase().StringSetAsync(marker, "written before the crash");
        var killed = (await ProcessIdAsync(redis))!.Value;

        using (var process = Process.GetProcessById((int)killed))
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(Waits.Request);
        }

        var started = await Waits.UntilAsync("redis-server started again by the AppHost", TimeSpan.FromSeconds(90), async _ =>
        {
            long? pid;
            try
            {
                pid = await ProcessIdAsync(redis);
            }
            catch (RedisException e)
            {
                return (null, e.Message);
            }

            return (pid is { } p && p != killed ? (object)p : null, $"process {pid?.ToString(CultureInfo.InvariantCulture) ?? "none"} answers");
        });

        Assert.NotEqual(killed, (long)started);
        // Every service healthy and Filestore answering from its store again, without a restart of any of them.
        await sandbox.WaitUntilRecoveredAsync();
        Assert.Equal("written before the crash", (string?)await redis.GetDatabase().StringGetAsync(marker));
    }
}
