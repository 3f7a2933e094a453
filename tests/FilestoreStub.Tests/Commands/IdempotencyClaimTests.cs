using System.Text;
using FilestoreStub.Commands;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Commands;

/// <summary>The idempotency store on a real Redis: what a claim finds at each stage of a key's life, and how long it lasts.</summary>
[Collection(RedisCollection.Name)]
public sealed class IdempotencyClaimTests
{
    private readonly RedisServer _redis;
    private readonly IdempotencyStore _store;
    private readonly StackExchange.Redis.RedisKey _key = IdempotencyStore.Key("staging", "billing", "billing-app", "key-1");
    private readonly string _fingerprint = IdempotencyStore.Fingerprint("staging", "billing", "billing-app", "{\"command\":\"put\"}"u8);

    public IdempotencyClaimTests(RedisServer redis)
    {
        redis.Db.Execute("FLUSHDB");
        _redis = redis;
        _store = new IdempotencyStore(redis.Multiplexer);
    }

    [Fact]
    public async Task A_new_key_is_claimed_and_the_same_request_again_finds_it_in_progress()
    {
        Assert.Equal(new Claim(ClaimVerdict.Claimed), await _store.ClaimAsync(_key, _fingerprint));

        Assert.Equal(new Claim(ClaimVerdict.InProgress), await _store.ClaimAsync(_key, _fingerprint));
    }

    [Fact]
    public async Task A_different_request_under_a_claimed_or_completed_key_is_a_mismatch()
    {
        await _store.ClaimAsync(_key, _fingerprint);
        Assert.Equal(new Claim(ClaimVerdict.Mismatch), await _store.ClaimAsync(_key, "another-fingerprint"));

        await _store.CompleteAsync(_key, _fingerprint, 200, "{}");
        Assert.Equal(new Claim(ClaimVerdict.Mismatch), await _store.ClaimAsync(_key, "another-fingerprint"));
    }

    [Fact]
    public async Task A_completed_key_replays_the_status_and_the_exact_answer()
    {
        await _store.ClaimAsync(_key, _fingerprint);

        await _store.CompleteAsync(_key, _fingerprint, 202, "{\"executed\":true}");

        Assert.Equal(new Claim(ClaimVerdict.Replay, 202, "{\"executed\":true}"), await _store.ClaimAsync(_key, _fingerprint));
    }

    [Fact]
    public async Task A_released_key_can_be_claimed_again()
    {
        await _store.ClaimAsync(_key, _fingerprint);

        await _store.ReleaseAsync(_key);

        Assert.Equal(new Claim(ClaimVerdict.Claimed), await _store.ClaimAsync(_key, _fingerprint));
    }

    [Fact]
    public async Task A_claim_frees_itself_within_a_minute_and_an_answer_is_kept_for_a_day()
    {
        await _store.ClaimAsync(_key, _fingerprint);
        var claimLife = await _redis.Db.KeyTimeToLiveAsync(_key);

        await _store.CompleteAsync(_key, _fingerprint, 200, "{}");
        var answerLife = await _redis.Db.KeyTimeToLiveAsync(_key);

        Assert.InRange(claimLife!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
        Assert.InRange(answerLife!.Value, IdempotencyStore.Retention - TimeSpan.FromMinutes(1), IdempotencyStore.Retention);
        Assert.Equal(TimeSpan.FromHours(24), IdempotencyStore.Retention);
    }

    [Fact]
    public void A_key_is_scoped_to_its_environment_service_and_principal_and_never_stores_the_callers_text()
    {
        var keys = new[]
        {
            IdempotencyStore.Key("staging", "billing", "billing-app", "key-1"),
            IdempotencyStore.Key("production", "billing", "billing-app", "key-1"),
            IdempotencyStore.Key("staging", "reports", "billing-app", "key-1"),
            IdempotencyStore.Key("staging", "billing", "other-app", "key-1"),
            IdempotencyStore.Key("staging", "billing", "billing-app", "key-2"),
        };

        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(keys[0], IdempotencyStore.Key("staging", "billing", "billing-app", "key-1"));
        Assert.StartsWith("filestore:idempotency:staging:billing:billing-app:", keys[0].ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("key-1", keys[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_fingerprint_changes_with_the_place_the_principal_and_every_byte_of_the_body()
    {
        var body = Encoding.UTF8.GetBytes("{\"command\":\"put\"}");
        var prints = new[]
        {
            IdempotencyStore.Fingerprint("staging", "billing", "billing-app", body),
            IdempotencyStore.Fingerprint("production", "billing", "billing-app", body),
            IdempotencyStore.Fingerprint("staging", "reports", "billing-app", body),
            IdempotencyStore.Fingerprint("staging", "billing", "other-app", body),
            IdempotencyStore.Fingerprint("staging", "billing", "billing-app", Encoding.UTF8.GetBytes("{\"command\":\"put\" }")),
            // The separators keep the parts apart: "stagingb" + "illing" is not "staging" + "billing".
            IdempotencyStore.Fingerprint("stagingb", "illing", "billing-app", body),
        };

        Assert.Equal(prints.Length, prints.Distinct().Count());
        Assert.Equal(prints[0], IdempotencyStore.Fingerprint("staging", "billing", "billing-app", body));
        Assert.Matches("^[0-9a-f]{64}$", prints[0]);
    }
}
