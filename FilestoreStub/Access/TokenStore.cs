using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace FilestoreStub.Access;

/// <summary>
/// Bearer tokens per principal, in Redis so they survive restarts. Only a SHA-256 of each token is stored. Rotation
/// issues a new token and lets the old ones live for a grace period; revocation ends them at once.
/// Every request presents a token, so what Redis says of one is kept for a moment (<see cref="RecentReads"/>), for at
/// most <see cref="RecentCapacity"/> tokens: a flood of made-up tokens cannot grow the process.
/// </summary>
public sealed class TokenStore(IConnectionMultiplexer redis, TimeProvider time) : IDisposable
{
    public const int RecentCapacity = 10_000;
    private const string Prefix = "filestore:access:";

    // Per token id: its stored principal, kind, expiresAt and revokedAt.
    private readonly MemoryCache _recent = RecentReads.Create(RecentCapacity, time);

    /// <summary>How many token judgements are kept right now.</summary>
    public int RecentCount => _recent.Count;

    private static RedisKey TokenKey(string tokenId) => $"{Prefix}token:{tokenId}";

    private static RedisKey PrincipalKey(string principal) => $"{Prefix}principal:{principal}";

    /// <summary>Issues a new token for <paramref name="principal"/>, valid for <paramref name="lifetime"/> or until revoked.</summary>
    public async Task<IssuedToken> IssueAsync(Principal principal, TimeSpan? lifetime = null)
    {
        var token = "fst_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        return await RegisterAsync(token, principal, lifetime);
    }

    /// <summary>
    /// Registers a token chosen elsewhere (the operator's bootstrap token from configuration). A token already known
    /// is left exactly as it is, so a restart never revives a token that was rotated away or revoked.
    /// </summary>
    public async Task<IssuedToken> RegisterAsync(string token, Principal principal, TimeSpan? lifetime = null)
    {
        var id = TokenId(token);
        var now = time.GetUtcNow();
        DateTimeOffset? expiresAt = lifetime is { } l ? now + l : null;
        var db = redis.GetDatabase();
        var transaction = db.CreateTransaction();
        transaction.AddCondition(Condition.KeyNotExists(TokenKey(id)));
        _ = transaction.HashSetAsync(TokenKey(id),
        [
            new("principal", principal.Name),
            new("kind", principal.Kind.ToString()),
            new("issuedAt", now.ToUnixTimeMilliseconds()),
            new("expiresAt", expiresAt?.ToUnixTimeMilliseconds() ?? 0),
        ]);
        _ = transaction.SetAddAsync(PrincipalKey(principal.Name), id);
        await transaction.ExecuteAsync();
        _recent.Remove(id);
        return new IssuedToken(token, id, principal, expiresAt);
    }

    /// <summary>
    /// Issues a new token and limits every other live token of the principal to <paramref name="grace"/> from now,
    /// so callers can switch over without an outage.
    /// </summary>
    public async Task<(IssuedToken Token, int LimitedTokens)> RotateAsync(Principal principal, TimeSpan grace, TimeSpan? lifetime = null)
    {
        var db = redis.GetDatabase();
        var graceEnd = (time.GetUtcNow() + grace).ToUnixTimeMilliseconds();
        var limited = 0;
        foreach (var id in await db.SetMembersAsync(PrincipalKey(principal.Name)))
        {
            var fields = await db.HashGetAsync(TokenKey(id!), ["expiresAt", "revokedAt"]);
            var expiresAt = (long)fields[0];
            if (!fields[1].IsNull || (expiresAt != 0 && expiresAt <= graceEnd))
            {
                continue;
            }

            await db.HashSetAsync(TokenKey(id!), "expiresAt", graceEnd);
            _recent.Remove((string)id!);
            limited++;
        }

        return (await IssueAsync(principal, lifetime), limited);
    }

    /// <summary>Revokes every token of <paramref name="principal"/>; returns how many were live.</summary>
    public async Task<int> RevokeAllAsync(string principal)
    {
        var db = redis.GetDatabase();
        var revoked = 0;
        foreach (var id in await db.SetMembersAsync(PrincipalKey(principal)))
        {
            if (await RevokeAsync((string)id!))
            {
                revoked++;
            }
        }

        return revoked;
    }

    /// <summary>Revokes one token by its id; false when it was unknown or already revoked.</summary>
    public async Task<bool> RevokeAsync(string tokenId)
    {
        var db = redis.GetDatabase();
        var key = TokenKey(tokenId);
        var revoked = await db.KeyExistsAsync(key)
                      && await db.HashSetAsync(key, "revokedAt", time.GetUtcNow().ToUnixTimeMilliseconds(), When.NotExists);
        _recent.Remove(tokenId);
        return revoked;
    }

    /// <summary>Whether <paramref name="principal"/> holds at least one token that is neither expired nor revoked.</summary>
    public async Task<bool> HasLiveTokenAsync(string principal)
    {
        var db = redis.GetDatabase();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var id in await db.SetMembersAsync(PrincipalKey(principal)))
        {
            var fields = await db.HashGetAsync(TokenKey(id!), ["expiresAt", "revokedAt"]);
            if (fields[1].IsNull && ((long)fields[0] == 0 || (long)fields[0] > now))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Judges a presented token.</summary>
    public async Task<(TokenVerdict Verdict, Principal? Principal)> VerifyAsync(string token)
    {
        var id = TokenId(token);
        if (!_recent.TryGetValue(id, out RedisValue[]? fields))
        {
            fields = await redis.GetDatabase().HashGetAsync(TokenKey(id), ["principal", "kind", "expiresAt", "revokedAt"]);
            _recent.Remember(id, fields);
        }

        if (fields![0].IsNull || !Enum.TryParse<PrincipalKind>(fields[1], out var kind))
        {
            return (TokenVerdict.Invalid, null);
        }

        if (!fields[3].IsNull)
        {
            return (TokenVerdict.Revoked, null);
        }

        var expiresAt = (long)fields[2];
        if (expiresAt != 0 && time.GetUtcNow().ToUnixTimeMilliseconds() >= expiresAt)
        {
            return (TokenVerdict.Expired, null);
        }

        return (TokenVerdict.Valid, new Principal(fields[0]!, kind));
    }

    /// <summary>The public id of a token: the hex SHA-256 of its text.</summary>
    public static string TokenId(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => _recent.Dispose();
}
