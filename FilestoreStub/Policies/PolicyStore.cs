using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace FilestoreStub.Policies;

/// <summary>
/// Versioned IAM policies per environment, in Redis: every apply (and every rollback) appends a new version, so the
/// history is never rewritten. Version 0 is the empty policy that allows nothing.
/// </summary>
public sealed class PolicyStore(IConnectionMultiplexer redis, TimeProvider time) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Every command is checked against the current policy of its environment (one entry per environment asked for).
    private readonly MemoryCache _current = RecentReads.Create(1_000, time);

    private static RedisKey VersionsKey(string env) => $"filestore:policy:{env}:versions";

    public async Task<PolicyVersion> CurrentAsync(string env)
    {
        if (_current.TryGetValue(env, out PolicyVersion? known))
        {
            return known!;
        }

        var last = await redis.GetDatabase().ListGetByIndexAsync(VersionsKey(env), -1);
        var policy = last.IsNull ? Empty : Deserialize(last!);
        _current.Remember(env, policy);
        return policy;
    }

    public async Task<IReadOnlyList<PolicyVersion>> VersionsAsync(string env) =>
        (await redis.GetDatabase().ListRangeAsync(VersionsKey(env))).Select(v => Deserialize(v!)).ToList();

    // Version n is the n-th entry of the list: applying only ever appends.
    public async Task<PolicyVersion?> VersionAsync(string env, int version)
    {
        if (version == 0)
        {
            return Empty;
        }

        var stored = await redis.GetDatabase().ListGetByIndexAsync(VersionsKey(env), version - 1);
        return stored.IsNull ? null : Deserialize(stored!);
    }

    /// <summary>Appends <paramref name="rules"/> as the next version, unless the current one is no longer <paramref name="expectedVersion"/>.</summary>
    public async Task<PolicyVersion> ApplyAsync(string env, IReadOnlyList<PolicyRule> rules, string appliedBy, int? expectedVersion = null, int? rolledBackFrom = null)
    {
        var db = redis.GetDatabase();
        var key = VersionsKey(env);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var length = await db.ListLengthAsync(key);
            var current = (int)length;
            if (expectedVersion is { } expected && expected != current)
            {
                throw new PolicyConflictException(expected, current);
            }

            var next = new PolicyVersion(current + 1, rules, time.GetUtcNow(), appliedBy, rolledBackFrom);
            var transaction = db.CreateTransaction();
            transaction.AddCondition(Condition.ListLengthEqual(key, length));
            _ = transaction.ListRightPushAsync(key, JsonSerializer.Serialize(next, Json));
            if (await transaction.ExecuteAsync())
            {
                _current.Remove(env);
                return next;
            }
        }

        throw new PolicyConflictException(expectedVersion ?? -1, (int)await db.ListLengthAsync(key));
    }

    /// <summary>Whether the current policy of <paramref name="env"/> lets <paramref name="principal"/> run the command on every one of the paths.</summary>
    public async Task<bool> AllowsAsync(string env, string principal, string service, string command, params string[] relativePaths)
    {
        var rules = (await CurrentAsync(env)).Rules;
        return relativePaths.All(path => rules.Any(rule => rule.Allows(principal, service, command, path)));
    }

    private static readonly PolicyVersion Empty = new(0, [], DateTimeOffset.UnixEpoch, "nobody");

    private static PolicyVersion Deserialize(string json) =>
        JsonSerializer.Deserialize<PolicyVersion>(json, Json) ?? throw new InvalidDataException("A stored policy version is unreadable.");

    public void Dispose() => _current.Dispose();
}
