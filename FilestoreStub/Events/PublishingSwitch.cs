using System.Collections.Concurrent;
using StackExchange.Redis;

namespace FilestoreStub.Events;

/// <summary>
/// Whether the events of a service are published, per environment, kept in Redis so a restart keeps a rollback's
/// "stop publishing". While paused, nothing of the service is published: commands and seeding are refused and
/// watchers keep their changes for later, so nothing is lost.
/// </summary>
public sealed class PublishingSwitch(IConnectionMultiplexer redis)
{
    private readonly ConcurrentDictionary<(string Env, string Service), bool> _paused = new();

    private static RedisKey Key(string env, string service) => $"filestore:publishing:{env}:{service}";

    public async ValueTask<bool> IsPausedAsync(string env, string service)
    {
        if (_paused.TryGetValue((env, service), out var paused))
        {
            return paused;
        }

        paused = await redis.GetDatabase().KeyExistsAsync(Key(env, service));
        return _paused.GetOrAdd((env, service), paused);
    }

    public async Task SetPausedAsync(string env, string service, bool paused)
    {
        var db = redis.GetDatabase();
        _ = paused ? await db.StringSetAsync(Key(env, service), "paused") : await db.KeyDeleteAsync(Key(env, service));
        _paused[(env, service)] = paused;
    }
}
