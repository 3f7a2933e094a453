using FilestoreStub.Policies;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace FilestoreStub.Tests.Policies;

/// <summary>The policy store on a real Redis: versions only ever append, a stale writer is refused, and checks read the newest version.</summary>
[Collection(RedisCollection.Name)]
public sealed class PolicyVersionTests
{
    private static readonly PolicyRule Billing = new("billing-app", "billing", ["put"], ["invoices"]);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly RedisServer _redis;
    private readonly PolicyStore _store;

    public PolicyVersionTests(RedisServer redis)
    {
        redis.Db.Execute("FLUSHDB");
        _redis = redis;
        _store = new PolicyStore(redis.Multiplexer, _clock);
    }

    [Fact]
    public async Task Before_any_apply_the_policy_is_version_zero_and_allows_nothing()
    {
        var current = await _store.CurrentAsync("staging");

        Assert.Equal(0, current.Version);
        Assert.Empty(current.Rules);
        Assert.Equal("nobody", current.AppliedBy);
        Assert.Equal(0, (await _store.VersionAsync("staging", 0))!.Version);
        Assert.False(await _store.AllowsAsync("staging", "billing-app", "billing", "put", "invoices/a.pdf"));
    }

    [Fact]
    public async Task Each_apply_appends_the_next_version_and_a_check_sees_it_at_once()
    {
        Assert.False(await _store.AllowsAsync("staging", "billing-app", "billing", "put", "invoices/a.pdf"));

        var first = await _store.ApplyAsync("staging", [Billing], "alice");
        Assert.True(await _store.AllowsAsync("staging", "billing-app", "billing", "put", "invoices/a.pdf"));
        var second = await _store.ApplyAsync("staging", [], "bob", expectedVersion: 1);

        Assert.Equal((1, 2), (first.Version, second.Version));
        Assert.Equal(("alice", _clock.GetUtcNow()), (first.AppliedBy, first.AppliedAt));
        Assert.Equal(2, (await _store.CurrentAsync("staging")).Version);
        Assert.False(await _store.AllowsAsync("staging", "billing-app", "billing", "put", "invoices/a.pdf"));
        Assert.Equal([1, 2], (await _store.VersionsAsync("staging")).Select(v => v.Version));
        Assert.Equal([Billing.Prefixes], [(await _store.VersionAsync("staging", 1))!.Rules.Single().Prefixes]);
        Assert.Null(await _store.VersionAsync("staging", 3));
    }

    [Fact]
    public async Task An_apply_expecting_an_older_version_is_refused_and_appends_nothing()
    {
        await _store.ApplyAsync("staging", [Billing], "alice");

        var conflict = await Assert.ThrowsAsync<PolicyConflictException>(() => _store.ApplyAsync("staging", [], "bob", expectedVersion: 0));

        Assert.Equal(1, conflict.Current);
        Assert.Equal("The policy is at version 1, not 0; read it again and retry.", conflict.Message);
        Assert.Equal(1, (await _store.CurrentAsync("staging")).Version);
    }

    [Fact]
    public async Task Environments_have_separate_histories()
    {
        await _store.ApplyAsync("staging", [Billing], "alice");

        Assert.Equal(0, (await _store.CurrentAsync("production")).Version);
        Assert.False(await _store.AllowsAsync("production", "billing-app", "billing", "put", "invoices/a.pdf"));
    }

    [Fact]
    public async Task A_command_on_several_paths_is_allowed_only_when_every_path_is()
    {
        await _store.ApplyAsync("staging", [Billing], "alice");

        Assert.True(await _store.AllowsAsync("staging", "billing-app", "billing", "put", "invoices/a.pdf", "invoices/b.pdf"));
        Assert.False(await _store.AllowsAsync("staging", "billing-app", "billing", "put", "invoices/a.pdf", "exports/a.pdf"));
        Assert.False(await _store.AllowsAsync("staging", "billing-app", "billing", "put", "exports/a.pdf", "invoices/a.pdf"));
    }

    [Fact]
    public async Task A_rollback_is_recorded_as_a_new_version_naming_the_one_it_restored()
    {
        await _store.ApplyAsync("staging", [Billing], "alice");

        var restored = await _store.ApplyAsync("staging", [], "bob", rolledBackFrom: 0);

        Assert.Equal(2, restored.Version);
        Assert.Equal(0, restored.RolledBackFrom);
        Assert.Null((await _store.VersionAsync("staging", 1))!.RolledBackFrom);
    }

    [Fact]
    public async Task Two_applies_at_once_without_an_expected_version_both_land_as_their_own_versions()
    {
        var applied = await Task.WhenAll(_store.ApplyAsync("staging", [Billing], "alice"), _store.ApplyAsync("staging", [], "bob"));

        Assert.Equal([1, 2], applied.Select(v => v.Version).Order());
        Assert.Equal([1, 2], (await _store.VersionsAsync("staging")).Select(v => v.Version));
    }

    [Fact]
    public async Task A_stored_version_that_cannot_be_read_is_an_error_not_an_empty_policy()
    {
        await _redis.Db.ListRightPushAsync("filestore:policy:staging:versions", "null");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _store.VersionAsync("staging", 1));

        Assert.Equal("A stored policy version is unreadable.", error.Message);
    }
}
