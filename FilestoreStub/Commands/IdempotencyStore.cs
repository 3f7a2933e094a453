using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;

namespace FilestoreStub.Commands;

/// <summary>
/// Idempotency keys in Redis, per environment, service and principal: the first request with a key claims it, and a
/// successful answer is kept for a day and replayed byte for byte to every retry. A key sent again with a different
/// request is refused; a failed command releases its key, so a retry runs it again.
/// </summary>
public sealed class IdempotencyStore(IConnectionMultiplexer redis)
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    // A claim that is never completed (the stub died mid-command) frees itself.
    private static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(1);

    private sealed record Entry(string Fingerprint, int Status, string? Response);

    public static RedisKey Key(string env, string service, string principal, string idempotencyKey) =>
        $"filestore:idempotency:{env}:{service}:{principal}:{Hash(idempotencyKey)}";

    /// <summary>The identity of a request: the same bytes to the same place are the same request.</summary>
    public static string Fingerprint(string env, string service, string principal, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{env}\n{service}\n{principal}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public async Task<Claim> ClaimAsync(RedisKey key, string fingerprint)
    {
        var db = redis.GetDatabase();
        if (await db.StringSetAsync(key, JsonSerializer.Serialize(new Entry(fingerprint, 0, null)), ClaimLifetime, When.NotExists))
        {
            return new Claim(ClaimVerdict.Claimed);
        }

        var stored = await db.StringGetAsync(key);
        if (stored.IsNull)
        {
            // Released or expired between the two calls: claim again.
            return await ClaimAsync(key, fingerprint);
        }

        var entry = JsonSerializer.Deserialize<Entry>(stored.ToString())!;
        return entry.Fingerprint != fingerprint ? new Claim(ClaimVerdict.Mismatch)
            : entry.Response is null ? new Claim(ClaimVerdict.InProgress)
            : new Claim(ClaimVerdict.Replay, entry.Status, entry.Response);
    }

    public Task CompleteAsync(RedisKey key, string fingerprint, int status, string response) =>
        redis.GetDatabase().StringSetAsync(key, JsonSerializer.Serialize(new Entry(fingerprint, status, response)), Retention);

    public Task ReleaseAsync(RedisKey key) => redis.GetDatabase().KeyDeleteAsync(key);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
