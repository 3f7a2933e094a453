using FilestoreStub.Changes;
using FilestoreStub.Cutover;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Cutover;

/// <summary>
/// The shadow gates of <c>shadow -> managed</c> at their exact thresholds: the stub under test needs 3 shadow
/// commands and 99.5 % for both SLIs, and "at least" means a value on the line passes.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ShadowGateThresholdTests(RedisServer redis) : FilestoreTest(redis)
{
    private ShadowLedger Ledger => App.Services.GetRequiredService<ShadowLedger>();

    private async Task RecordAsync(string outcome, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await Ledger.RecordAsync("staging", "billing", outcome, null);
        }
    }

    private async Task<Dictionary<string, Gate>> ShadowGatesAsync() =>
        (await App.Services.GetRequiredService<CutoverGates>().CheckAsync("staging", "billing", CutoverMode.Shadow, CutoverMode.Managed))
        .Where(g => g.Name.StartsWith("shadow-", StringComparison.Ordinal)).ToDictionary(g => g.Name);

    private Task SetCountsAsync(params (string Field, long Value)[] counts) =>
        Redis.Db.HashSetAsync("filestore:shadow:staging:billing:stats", counts.Select(c => new StackExchange.Redis.HashEntry(c.Field, c.Value)).ToArray());

    [Fact]
    public async Task Exactly_the_minimum_of_shadow_commands_passes_and_one_fewer_does_not()
    {
        await RecordAsync("success", 2);
        await RecordAsync("rejected", 5);
        var twoCounted = await ShadowGatesAsync();

        await RecordAsync("failed", 1);
        var threeCounted = await ShadowGatesAsync();

        Assert.False(twoCounted["shadow-commands"].Passed);
        Assert.Equal("2 shadow commands so far; at least 3 are needed.", twoCounted["shadow-commands"].Detail);
        Assert.True(threeCounted["shadow-commands"].Passed);
        Assert.Equal("3 shadow commands (at least 3 needed).", threeCounted["shadow-commands"].Detail);
    }

    [Fact]
    public async Task A_success_rate_exactly_at_the_objective_passes_and_just_below_it_does_not()
    {
        await SetCountsAsync(("success", 199), ("failed", 1));
        var atObjective = (await ShadowGatesAsync())["shadow-success-rate"];
        await SetCountsAsync(("success", 198), ("failed", 1));
        var below = (await ShadowGatesAsync())["shadow-success-rate"];

        Assert.True(atObjective.Passed);
        Assert.Equal("99.5% of shadow commands succeeded (objective 99.5%; 1 failed).", atObjective.Detail);
        Assert.False(below.Passed);
    }

    [Fact]
    public async Task With_no_shadow_command_the_success_gate_fails_and_the_plan_gate_has_nothing_against_it()
    {
        var gates = await ShadowGatesAsync();

        Assert.False(gates["shadow-success-rate"].Passed);
        Assert.Equal("No shadow command yet.", gates["shadow-success-rate"].Detail);
        Assert.True(gates["shadow-plans-match"].Passed);
        Assert.Equal("No change seen on disk during shadow, so no plan contradicted.", gates["shadow-plans-match"].Detail);
    }

    [Fact]
    public async Task A_plan_match_rate_exactly_at_the_objective_passes_and_just_below_it_does_not()
    {
        await SetCountsAsync(("matched", 199), ("unplanned", 1));
        var atObjective = (await ShadowGatesAsync())["shadow-plans-match"];
        await SetCountsAsync(("matched", 198), ("mismatched", 1));
        var below = (await ShadowGatesAsync())["shadow-plans-match"];

        Assert.True(atObjective.Passed);
        Assert.Equal("99.5% of changes seen on disk matched a plan (objective 99.5%; 0 mismatched, 1 unplanned).", atObjective.Detail);
        Assert.False(below.Passed);
    }
}
