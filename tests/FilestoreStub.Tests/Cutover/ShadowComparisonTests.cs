using FilestoreStub.Changes;
using FilestoreStub.Cutover;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;

namespace FilestoreStub.Tests.Cutover;

/// <summary>
/// The shadow ledger on a real Redis: how a change seen on disk is judged against the plan for its path, and what the
/// two shadow SLIs count.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ShadowComparisonTests
{
    private const string Env = "staging";
    private const string Service = "billing";
    private readonly ShadowLedger _ledger;

    public ShadowComparisonTests(RedisServer redis)
    {
        redis.Db.Execute("FLUSHDB");
        _ledger = new ShadowLedger(redis.Multiplexer);
    }

    private static ShadowPlan Plan(PlannedChange change) =>
        new(Guid.NewGuid().ToString("N"), "put", "billing-app", "corr", change, DateTimeOffset.UnixEpoch);

    private static FileState File(string sha256) => new(3, DateTime.UnixEpoch, sha256);

    public static TheoryData<PlannedChange, Drift, string> Comparisons => new()
    {
        { new(EventKinds.Created, "a.txt", Sha256: "s1"), new(EventKinds.Created, "a.txt", File("s1")), "matched" },
        { new(EventKinds.Created, "a.txt", Sha256: "s1"), new(EventKinds.Modified, "a.txt", File("s1")), "matched" },
        { new(EventKinds.Modified, "a.txt", Sha256: "s1"), new(EventKinds.Created, "a.txt", File("s1")), "matched" },
        { new(EventKinds.Created, "a.txt", Sha256: "s1"), new(EventKinds.Created, "a.txt", File("other")), "mismatched" },
        { new(EventKinds.Modified, "a.txt", Sha256: "s1"), new(EventKinds.Deleted, "a.txt", null), "mismatched" },
        { new(EventKinds.Renamed, "b.txt", "a.txt"), new(EventKinds.Renamed, "b.txt", File("s1"), "a.txt"), "matched" },
        { new(EventKinds.Renamed, "b.txt", "a.txt"), new(EventKinds.Renamed, "b.txt", File("s1"), "c.txt"), "mismatched" },
        { new(EventKinds.Renamed, "b.txt", "a.txt"), new(EventKinds.Created, "b.txt", File("s1")), "mismatched" },
        { new(EventKinds.Deleted, "a.txt"), new(EventKinds.Deleted, "a.txt", null), "matched" },
        { new(EventKinds.Deleted, "a.txt"), new(EventKinds.Modified, "a.txt", File("s1")), "mismatched" },
        { new(EventKinds.DirectoryCreated, "a.txt"), new(EventKinds.Created, "a.txt", File("s1")), "mismatched" },
    };

    [Theory]
    [MemberData(nameof(Comparisons))]
    public async Task A_change_on_disk_is_judged_against_the_plan_for_its_path(PlannedChange planned, Drift seen, string verdict)
    {
        await _ledger.RecordAsync(Env, Service, "success", Plan(planned));

        Assert.Equal(verdict, await _ledger.ObserveAsync(Env, Service, seen));

        var stats = await _ledger.StatsAsync(Env, Service);
        Assert.Equal(verdict == "matched" ? (1, 0) : (0, 1), (stats.Matched, stats.Mismatched));
    }

    [Fact]
    public async Task A_plan_is_compared_once_and_a_change_nobody_planned_is_unplanned()
    {
        await _ledger.RecordAsync(Env, Service, "success", Plan(new(EventKinds.Created, "a.txt", Sha256: "s1")));

        Assert.Equal("matched", await _ledger.ObserveAsync(Env, Service, new(EventKinds.Created, "a.txt", File("s1"))));
        Assert.Equal("unplanned", await _ledger.ObserveAsync(Env, Service, new(EventKinds.Modified, "a.txt", File("s1"))));
        Assert.Equal("unplanned", await _ledger.ObserveAsync(Env, Service, new(EventKinds.Created, "b.txt", File("s1"))));
        Assert.Equal(new ShadowStats(1, 0, 0, 1, 0, 2), await _ledger.StatsAsync(Env, Service));
    }

    [Fact]
    public async Task A_plan_that_changes_nothing_awaits_no_change_on_disk()
    {
        await _ledger.RecordAsync(Env, Service, "success", Plan(new(PlannedChange.Unchanged, "folder")));

        Assert.Equal("unplanned", await _ledger.ObserveAsync(Env, Service, new(EventKinds.Created, "folder", File("s1"))));
        Assert.Single(await _ledger.PlansAsync(Env, Service, 10));
    }

    [Fact]
    public async Task Outcomes_are_counted_each_under_its_own_name_and_plans_are_listed_newest_first()
    {
        var first = Plan(new(EventKinds.Created, "a.txt", Sha256: "s1"));
        var second = Plan(new(EventKinds.Created, "b.txt", Sha256: "s2"));
        await _ledger.RecordAsync(Env, Service, "success", first);
        await _ledger.RecordAsync(Env, Service, "success", second);
        await _ledger.RecordAsync(Env, Service, "failed", null);
        await _ledger.RecordAsync(Env, Service, "rejected", null);
        await _ledger.RecordAsync(Env, Service, "rejected", null);

        Assert.Equal(new ShadowStats(2, 1, 2, 0, 0, 0), await _ledger.StatsAsync(Env, Service));
        Assert.Equal([second.CommandId, first.CommandId], (await _ledger.PlansAsync(Env, Service, 10)).Select(p => p.CommandId));
        Assert.Equal([second.CommandId], (await _ledger.PlansAsync(Env, Service, 1)).Select(p => p.CommandId));
    }

    [Fact]
    public async Task A_reset_starts_a_fresh_shadow_period_with_no_counts_plans_or_pending_comparisons()
    {
        await _ledger.RecordAsync(Env, Service, "success", Plan(new(EventKinds.Created, "a.txt", Sha256: "s1")));

        await _ledger.ResetAsync(Env, Service);

        Assert.Equal(new ShadowStats(0, 0, 0, 0, 0, 0), await _ledger.StatsAsync(Env, Service));
        Assert.Empty(await _ledger.PlansAsync(Env, Service, 10));
        Assert.Equal("unplanned", await _ledger.ObserveAsync(Env, Service, new(EventKinds.Created, "a.txt", File("s1"))));
    }

    [Fact]
    public void The_success_rate_leaves_out_the_callers_mistakes_and_is_unknown_before_any_command()
    {
        Assert.Null(new ShadowStats(0, 0, 5, 0, 0, 0).SuccessRate);
        Assert.Equal(0.75, new ShadowStats(3, 1, 100, 0, 0, 0).SuccessRate);
        Assert.Equal(0.0, new ShadowStats(0, 2, 0, 0, 0, 0).SuccessRate);
    }

    [Fact]
    public void The_plan_match_rate_counts_every_change_seen_and_is_unknown_while_none_was()
    {
        Assert.Null(new ShadowStats(9, 0, 0, 0, 0, 0).PlanMatchRate);
        Assert.Equal(0.5, new ShadowStats(0, 0, 0, 2, 1, 1).PlanMatchRate);
        Assert.Equal(0.0, new ShadowStats(0, 0, 0, 0, 0, 3).PlanMatchRate);
        Assert.Equal(0.0, new ShadowStats(0, 0, 0, 0, 3, 0).PlanMatchRate);
    }
}
