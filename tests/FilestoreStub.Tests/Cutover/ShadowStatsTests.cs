using FilestoreStub.Cutover;

namespace FilestoreStub.Tests.Cutover;

/// <summary>The two shadow SLIs the promotion gates read, as arithmetic: which counts are in each rate and which are not.</summary>
public sealed class ShadowStatsTests
{
    [Fact]
    public void The_success_rate_is_successes_over_successes_and_failures_and_ignores_rejections()
    {
        Assert.Equal(0.75, new ShadowStats(Success: 3, Failed: 1, Rejected: 50, Matched: 0, Mismatched: 0, Unplanned: 0).SuccessRate);
        Assert.Equal(0.5, new ShadowStats(Success: 2, Failed: 2, Rejected: 0, Matched: 0, Mismatched: 0, Unplanned: 0).SuccessRate);
        Assert.Null(new ShadowStats(Success: 0, Failed: 0, Rejected: 7, Matched: 0, Mismatched: 0, Unplanned: 0).SuccessRate);
    }

    [Fact]
    public void The_plan_match_rate_is_matched_over_everything_seen_on_disk()
    {
        Assert.Equal(0.5, new ShadowStats(Success: 0, Failed: 0, Rejected: 0, Matched: 2, Mismatched: 1, Unplanned: 1).PlanMatchRate);
        Assert.Equal(0.25, new ShadowStats(Success: 0, Failed: 0, Rejected: 0, Matched: 1, Mismatched: 1, Unplanned: 2).PlanMatchRate);
        Assert.Null(new ShadowStats(Success: 9, Failed: 0, Rejected: 0, Matched: 0, Mismatched: 0, Unplanned: 0).PlanMatchRate);
    }
}
