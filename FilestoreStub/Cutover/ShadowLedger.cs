using System.Text.Json;
using FilestoreStub.Changes;
using FilestoreStub.Events;
using StackExchange.Redis;

namespace FilestoreStub.Cutover;

/// <summary>
/// What shadow mode learns, in Redis: counters per outcome, the recent plans (a capped stream), and the plan
/// waiting per path. While the service still writes to disk itself, its watcher's drift is compared with the plan
/// for the same path: that comparison is the "plan vs what actually happened" SLI the promotion to managed checks.
/// </summary>
public sealed class ShadowLedger(IConnectionMultiplexer redis) : IShadowRecorder
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string Prefix(string env, string service) => $"filestore:shadow:{env}:{service}";

    private static RedisKey StatsKey(string env, string service) => Prefix(env, service) + ":stats";

    private static RedisKey PlansKey(string env, string service) => Prefix(env, service) + ":plans";

    private static RedisKey PendingKey(string env, string service) => Prefix(env, service) + ":pending";

    public async Task RecordAsync(string env, string service, string outcome, ShadowPlan? plan)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var tasks = new List<Task> { batch.HashIncrementAsync(StatsKey(env, service), outcome) };
        if (plan is not null)
        {
            var json = JsonSerializer.Serialize(plan, Json);
            tasks.Add(batch.StreamAddAsync(PlansKey(env, service), "plan", json, maxLength: 1_000, useApproximateMaxLength: true));
            if (plan.Change.Kind != PlannedChange.Unchanged)
            {
                tasks.Add(batch.HashSetAsync(PendingKey(env, service), plan.Change.Path, json));
            }
        }

        batch.Execute();
        await Task.WhenAll(tasks);
    }

    /// <summary>Compares one change seen on disk with the plan for its path, and counts the verdict.</summary>
    public async Task<string> ObserveAsync(string env, string service, Drift drift)
    {
        var db = redis.GetDatabase();
        var stored = await db.HashGetAsync(PendingKey(env, service), drift.Path);
        var verdict = "unplanned";
        if (!stored.IsNull)
        {
            var plan = JsonSerializer.Deserialize<ShadowPlan>(stored.ToString(), Json)!.Change;
            verdict = Matches(plan, drift) ? "matched" : "mismatched";
            await db.HashDeleteAsync(PendingKey(env, service), drift.Path);
        }

        await db.HashIncrementAsync(StatsKey(env, service), verdict);
        return verdict;
    }

    public async Task<ShadowStats> StatsAsync(string env, string service)
    {
        var values = await redis.GetDatabase().HashGetAsync(StatsKey(env, service),
            ["success", "failed", "rejected", "matched", "mismatched", "unplanned"]);
        var n = values.Select(v => v.IsNull ? 0L : (long)v).ToArray();
        return new ShadowStats(n[0], n[1], n[2], n[3], n[4], n[5]);
    }

    /// <summary>The newest recorded plans, newest first.</summary>
    public async Task<IReadOnlyList<ShadowPlan>> PlansAsync(string env, string service, int count) =>
        (await redis.GetDatabase().StreamRangeAsync(PlansKey(env, service), count: count, messageOrder: Order.Descending))
            .Select(e => JsonSerializer.Deserialize<ShadowPlan>(e["plan"].ToString(), Json)!)
            .ToList();

    /// <summary>Starts a fresh shadow period: the SLIs judge only the commands of this one.</summary>
    public Task ResetAsync(string env, string service) =>
        redis.GetDatabase().KeyDeleteAsync([StatsKey(env, service), PlansKey(env, service), PendingKey(env, service)]);

    // A scan sees files only, and a put of new content may show as modified or created depending on what was there.
    private static bool Matches(PlannedChange plan, Drift drift) => plan.Kind switch
    {
        EventKinds.Created or EventKinds.Modified => drift.Kind is EventKinds.Created or EventKinds.Modified && drift.State?.Sha256 == plan.Sha256,
        EventKinds.Renamed => drift.Kind == EventKinds.Renamed && drift.PreviousPath == plan.PreviousPath,
        EventKinds.Deleted => drift.Kind == EventKinds.Deleted,
        _ => false,
    };
}
