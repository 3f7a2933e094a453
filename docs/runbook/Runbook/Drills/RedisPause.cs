using System.Diagnostics;
using Runbook.Steps;
using StackExchange.Redis;

namespace Runbook.Drills;

/// <summary>
/// The CLI's Redis outage: Redis answers no client for a while (<c>CLIENT PAUSE ... ALL</c>), which every service sees
/// as a store out of reach (commands time out, 503 <c>store-unavailable</c>, the Redis health check fails). The CLI
/// cannot stop a process the AppHost owns, as the dashboard's outage does; a pause needs no such control, and Redis
/// ends it by itself at its deadline, even when the CLI is killed, so a drill never leaves the store down. It cannot
/// be ended early: not even <c>CLIENT UNPAUSE</c> is answered during a pause of all clients.
/// </summary>
public static class RedisPause
{
    public static readonly TimeSpan Length = TimeSpan.FromSeconds(60);

    /// <summary>How long past a whole pause the clear step waits for Redis to answer before it says Redis is down for another reason.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    public static async Task<string> StartAsync(RunbookSession session, CancellationToken ct)
    {
        await using var redis = await ConnectAsync(session);
        await redis.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", (long)Length.TotalMilliseconds, "ALL").WaitAsync(ct);
        return $"Redis answers no client for {Length.TotalSeconds:0} s (CLIENT PAUSE ALL); it cannot be ended early and ends on its own.";
    }

    /// <summary>Waits until Redis answers a PING again: the pause is over.</summary>
    public static async Task<string> WaitUntilOverAsync(RunbookSession session, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var redis = await ConnectAsync(session);
        while (true)
        {
            try
            {
                await redis.GetDatabase().PingAsync().WaitAsync(ct);
                return $"Redis answers again ({clock.Elapsed.TotalSeconds:0} s of waiting here).";
            }
            catch (Exception) when (!ct.IsCancellationRequested && clock.Elapsed < Length + Grace)
            {
                // Still paused (a timeout), or a connection torn down by the pause: ask again.
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                throw new CheckFailedException($"Redis still does not answer after {(Length + Grace).TotalSeconds:0} s of waiting here: it is down for another reason ({e.Message}).");
            }
        }
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(RunbookSession session)
    {
        var target = session.Target.Redis is { Length: > 0 } redis
            ? redis
            : throw new BadUsageException("No Redis connection: give --redis CONNECTION for a Redis outage drill.");
        var options = ConfigurationOptions.Parse(target);
        // CLIENT is an admin command to StackExchange.Redis; a connection made during the pause keeps trying.
        options.AllowAdmin = true;
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = options.AsyncTimeout = 2000;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}
