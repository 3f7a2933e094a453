using FilestoreStub.Access;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace FilestoreStub.Tests.Access;

/// <summary>
/// The token store on a real Redis with a test clock: when a token stops counting, what rotation limits, and that a
/// change made through the store shows at once although verdicts are remembered for a moment.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class TokenLifetimeTests
{
    // Expiry is kept in whole milliseconds: start the clock on one.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly StackExchange.Redis.ConnectionMultiplexer _redis;
    private readonly TokenStore _tokens;

    public TokenLifetimeTests(RedisServer redis)
    {
        redis.Db.Execute("FLUSHDB");
        _redis = redis.Multiplexer;
        _tokens = new TokenStore(_redis, _clock);
    }

    private static Principal Service(string name) => new(name, PrincipalKind.Service);

    [Fact]
    public async Task A_token_is_valid_until_the_last_millisecond_of_its_lifetime_and_expired_from_its_end()
    {
        var issued = await _tokens.IssueAsync(Service("billing"), TimeSpan.FromSeconds(60));

        _clock.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromMilliseconds(1));
        Assert.Equal((TokenVerdict.Valid, Service("billing")), await _tokens.VerifyAsync(issued.Token));
        Assert.True(await _tokens.HasLiveTokenAsync("billing"));

        // A fresh store: the first one remembers its last verdict for a moment.
        var fresh = new TokenStore(_redis, _clock);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal((TokenVerdict.Expired, (Principal?)null), await fresh.VerifyAsync(issued.Token));
        Assert.False(await fresh.HasLiveTokenAsync("billing"));
    }

    [Fact]
    public async Task A_token_without_a_lifetime_never_expires()
    {
        var issued = await _tokens.IssueAsync(Service("billing"));
        _clock.Advance(TimeSpan.FromDays(3650));

        Assert.Null(issued.ExpiresAt);
        Assert.Equal(TokenVerdict.Valid, (await _tokens.VerifyAsync(issued.Token)).Verdict);
        Assert.True(await _tokens.HasLiveTokenAsync("billing"));
    }

    [Fact]
    public async Task A_principal_has_a_live_token_while_any_one_of_its_tokens_is_neither_expired_nor_revoked()
    {
        Assert.False(await _tokens.HasLiveTokenAsync("billing"));

        var revoked = await _tokens.IssueAsync(Service("billing"));
        await _tokens.RevokeAsync(revoked.TokenId);
        await _tokens.IssueAsync(Service("billing"), TimeSpan.FromSeconds(10));
        var lasting = await _tokens.IssueAsync(Service("billing"), TimeSpan.FromSeconds(100));
        _clock.Advance(TimeSpan.FromSeconds(50));
        Assert.True(await _tokens.HasLiveTokenAsync("billing"));

        await _tokens.RevokeAsync(lasting.TokenId);
        Assert.False(await _tokens.HasLiveTokenAsync("billing"));
        Assert.False(await _tokens.HasLiveTokenAsync("someone-else"));
    }

    [Fact]
    public async Task Rotation_limits_only_the_live_tokens_that_would_outlast_the_grace_period()
    {
        var forever = await _tokens.IssueAsync(Service("billing"));
        var longLived = await _tokens.IssueAsync(Service("billing"), TimeSpan.FromHours(1));
        var endsWithGrace = await _tokens.IssueAsync(Service("billing"), TimeSpan.FromMinutes(5));
        var endsSooner = await _tokens.IssueAsync(Service("billing"), TimeSpan.FromMinutes(1));
        var revoked = await _tokens.IssueAsync(Service("billing"));
        await _tokens.RevokeAsync(revoked.TokenId);
        var otherService = await _tokens.IssueAsync(Service("reports"));

        var (fresh, limited) = await _tokens.RotateAsync(Service("billing"), TimeSpan.FromMinutes(5));

        Assert.Equal(2, limited);
        Assert.Null(fresh.ExpiresAt);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var store = new TokenStore(_redis, _clock);
        Assert.Equal(TokenVerdict.Expired, (await store.VerifyAsync(endsSooner.Token)).Verdict);
        Assert.Equal(TokenVerdict.Valid, (await store.VerifyAsync(forever.Token)).Verdict);
        Assert.Equal(TokenVerdict.Revoked, (await store.VerifyAsync(revoked.Token)).Verdict);

        _clock.Advance(TimeSpan.FromMinutes(4));
        store = new TokenStore(_redis, _clock);
        foreach (var old in new[] { forever, longLived, endsWithGrace })
        {
            Assert.Equal(TokenVerdict.Expired, (await store.VerifyAsync(old.Token)).Verdict);
        }

        Assert.Equal(TokenVerdict.Valid, (await store.VerifyAsync(fresh.Token)).Verdict);
        Assert.Equal(TokenVerdict.Valid, (await store.VerifyAsync(otherService.Token)).Verdict);
    }

    [Fact]
    public async Task A_revocation_through_the_store_shows_at_once_although_verdicts_are_remembered()
    {
        var issued = await _tokens.IssueAsync(Service("billing"));
        Assert.Equal(TokenVerdict.Valid, (await _tokens.VerifyAsync(issued.Token)).Verdict);

        Assert.True(await _tokens.RevokeAsync(issued.TokenId));

        Assert.Equal(TokenVerdict.Revoked, (await _tokens.VerifyAsync(issued.Token)).Verdict);
    }

    [Fact]
    public async Task A_revocation_by_another_instance_shows_once_the_moment_has_passed_on_the_services_clock()
    {
        var issued = await _tokens.IssueAsync(Service("billing"));
        Assert.Equal(TokenVerdict.Valid, (await _tokens.VerifyAsync(issued.Token)).Verdict);
        Assert.True(await new TokenStore(_redis, _clock).RevokeAsync(issued.TokenId));

        // However long the machine takes, the remembered verdict holds until the service's own clock moves on.
        await Task.Delay(RecentReads.Lifetime + TimeSpan.FromMilliseconds(200));
        _clock.Advance(RecentReads.Lifetime - TimeSpan.FromMilliseconds(1));
        Assert.Equal(TokenVerdict.Valid, (await _tokens.VerifyAsync(issued.Token)).Verdict);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TokenVerdict.Revoked, (await _tokens.VerifyAsync(issued.Token)).Verdict);
    }

    [Fact]
    public async Task A_rotation_through_the_store_shows_at_once_although_verdicts_are_remembered()
    {
        var issued = await _tokens.IssueAsync(Service("billing"));
        Assert.Equal(TokenVerdict.Valid, (await _tokens.VerifyAsync(issued.Token)).Verdict);

        await _tokens.RotateAsync(Service("billing"), TimeSpan.FromMilliseconds(1));
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(TokenVerdict.Expired, (await _tokens.VerifyAsync(issued.Token)).Verdict);
    }

    [Fact]
    public async Task Revoking_counts_only_tokens_that_were_still_live_and_an_unknown_id_revokes_nothing()
    {
        var first = await _tokens.IssueAsync(Service("billing"));
        await _tokens.IssueAsync(Service("billing"));
        Assert.True(await _tokens.RevokeAsync(first.TokenId));

        Assert.False(await _tokens.RevokeAsync(first.TokenId));
        Assert.False(await _tokens.RevokeAsync(TokenStore.TokenId("fst_never-issued")));
        Assert.Equal(1, await _tokens.RevokeAllAsync("billing"));
        Assert.Equal(0, await _tokens.RevokeAllAsync("billing"));
    }

    [Fact]
    public async Task An_unknown_token_or_one_stored_with_an_unknown_kind_is_invalid()
    {
        Assert.Equal((TokenVerdict.Invalid, (Principal?)null), await _tokens.VerifyAsync("fst_never-issued"));

        var issued = await _tokens.IssueAsync(Service("billing"));
        await _redis.GetDatabase().HashSetAsync($"filestore:access:token:{issued.TokenId}", "kind", "superuser");

        var store = new TokenStore(_redis, _clock);
        Assert.Equal((TokenVerdict.Invalid, (Principal?)null), await store.VerifyAsync(issued.Token));
    }

    [Fact]
    public async Task An_issued_token_is_an_unguessable_url_safe_secret_whose_id_is_its_sha256()
    {
        var issued = await _tokens.IssueAsync(Service("billing"));

        Assert.Matches("^fst_[A-Za-z0-9_-]{43}$", issued.Token);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(issued.Token))), issued.TokenId);
        Assert.NotEqual(issued.Token, (await _tokens.IssueAsync(Service("billing"))).Token);
    }

    [Fact]
    public async Task Registering_a_known_token_again_leaves_it_as_it_is()
    {
        var first = await _tokens.RegisterAsync("operator-token-registered-twice-0123", new Principal("operator", PrincipalKind.Operator));
        await _tokens.RevokeAsync(first.TokenId);

        await _tokens.RegisterAsync("operator-token-registered-twice-0123", new Principal("operator", PrincipalKind.Operator));

        Assert.Equal(TokenVerdict.Revoked, (await _tokens.VerifyAsync("operator-token-registered-twice-0123")).Verdict);
    }

    [Fact]
    public async Task A_token_registered_just_after_it_was_refused_is_accepted_at_once()
    {
        const string token = "operator-token-configured-late-0123456789";
        Assert.Equal(TokenVerdict.Invalid, (await _tokens.VerifyAsync(token)).Verdict);

        await _tokens.RegisterAsync(token, new Principal("operator", PrincipalKind.Operator));

        Assert.Equal((TokenVerdict.Valid, new Principal("operator", PrincipalKind.Operator)), await _tokens.VerifyAsync(token));
    }

    [Fact]
    public async Task A_flood_of_madeUp_tokens_keeps_at_most_the_capacity_of_verdicts_and_a_real_token_still_gets_in()
    {
        var issued = await _tokens.IssueAsync(Service("billing"));
        var madeUp = Enumerable.Range(0, 2 * TokenStore.RecentCapacity + 500).Select(i => $"fst_made-up-{i:D6}").ToList();

        foreach (var batch in madeUp.Chunk(500))
        {
            var verdicts = await Task.WhenAll(batch.Select(_tokens.VerifyAsync));
            Assert.All(verdicts, v => Assert.Equal(TokenVerdict.Invalid, v.Verdict));
            Assert.InRange(_tokens.RecentCount, 1, TokenStore.RecentCapacity);
        }

        Assert.Equal((TokenVerdict.Valid, Service("billing")), await _tokens.VerifyAsync(issued.Token));
        Assert.InRange(_tokens.RecentCount, 1, TokenStore.RecentCapacity);
    }
}
