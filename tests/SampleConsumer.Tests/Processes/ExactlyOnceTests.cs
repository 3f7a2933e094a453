using BullMq;
using SampleConsumer.Tests.Infrastructure;

namespace SampleConsumer.Tests.Processes;

/// <summary>At-least-once delivery, exactly-once effects: crashes, competing instances and replays change nothing.</summary>
[Collection(RedisCollection.Name)]
public sealed class ExactlyOnceTests(RedisServer redis) : ConsumerTest(redis)
{
    [Theory]
    [InlineData("metastore")]
    [InlineData("timestore")]
    public async Task Killed_with_sigkill_in_the_middle_of_10000_events_and_restarted_it_applies_each_exactly_once(string role)
    {
        var workload = Workload.Generate(10_000, paths: 60, seed: 1);
        workload.WriteTo(DataDirectory);
        var queue = new QueueOperations(Connection, $"{role}-events");
        // The whole workload is queued, and held back until the first instance is up, so most of it is still to do when
        // it dies; the count is read from Redis because the consumer's own totals are too slow to catch it half-way.
        await queue.PauseAsync();
        await workload.PublishAsync(Producer, queue.Name);
        IReadOnlyDictionary<string, long> countsAtKill;
        IReadOnlyList<string> heldAtKill;
        long appliedAtKill;
        await using (var first = await StartAsync(role))
        {
            await queue.ResumeAsync();
            await Eventually.Until(() => StoredEventsAsync(role), n => n >= 2_000, TimeSpan.FromSeconds(60), "2,000 events applied before the crash");
            await first.KillAsync();
            // Read once Redis dropped the dead process's connections: nothing of it can still change these.
            countsAtKill = await queue.GetJobCountsAsync();
            heldAtKill = await queue.GetActiveJobIdsAsync();
            appliedAtKill = await StoredEventsAsync(role);
        }

        Assert.InRange(appliedAtKill, 2_000, workload.Events.Count - 1);
        Assert.True(countsAtKill[JobStates.Waiting] > 0, $"nothing was waiting at the kill: {Describe(countsAtKill)}");
        Assert.NotEmpty(heldAtKill);

        await using var second = await StartAsync(role);
        await UntilAllAppliedAsync(second, role, workload.Events.Count);

        await AssertExactlyOnceAsync(second, role, workload);
        // The restarted instance applied exactly what the dead one had not; the events the dead one held went back to
        // the queue through the stall check (a redelivery) and were finished by the restarted instance.
        await Eventually.Until(() => second.ProcessedAsync("applied"), n => n == workload.Events.Count - appliedAtKill,
            what: $"the restarted instance's own count of applied events to be {workload.Events.Count - appliedAtKill}");
        foreach (var id in heldAtKill)
        {
            var (job, state) = (await queue.GetJobAsync(id), await queue.GetStateAsync(id));
            Assert.True(job is { StalledCounter: >= 1 } && state == JobStates.Completed,
                $"job {id}, held by the killed instance, was not redelivered and completed: stalled {job?.StalledCounter} times, {state}");
        }
    }

    [Theory]
    [InlineData("metastore")]
    [InlineData("timestore")]
    public async Task Two_instances_of_one_role_at_once_both_apply_events_and_each_event_exactly_once(string role)
    {
        var workload = Workload.Generate(4_000, paths: 40, seed: 2);
        workload.WriteTo(DataDirectory);
        await using var one = await StartAsync(role);
        await using var two = await StartAsync(role);

        await workload.PublishAsync(Producer, $"{role}-events");
        await UntilAllAppliedAsync(one, role, workload.Events.Count);

        await AssertExactlyOnceAsync(two, role, workload);
        // Each instance's own count: both took a share, and together they applied each event once.
        var (byOne, byTwo) = await Eventually.Until(async () => (await one.ProcessedAsync("applied"), await two.ProcessedAsync("applied")),
            counts => counts.Item1 + counts.Item2 == workload.Events.Count, what: "the instances' applied counts to add up to the workload");
        Assert.True(byOne > 0 && byTwo > 0, $"one instance applied nothing: {byOne} and {byTwo}");
    }

    [Theory]
    [InlineData("metastore")]
    [InlineData("timestore")]
    public async Task Replaying_the_whole_history_leaves_the_store_exactly_as_it_was(string role)
    {
        var workload = Workload.Generate(2_000, paths: 30, seed: 3);
        workload.WriteTo(DataDirectory);
        await using var consumer = await StartAsync(role);
        await workload.PublishAsync(Producer, $"{role}-events");
        await UntilAllAppliedAsync(consumer, role, workload.Events.Count);
        var before = await DumpStoreAsync(role);

        await workload.PublishAsync(Producer, $"{role}-events", idPrefix: "replay-", shuffleSeed: 11);
        var queue = new QueueOperations(Connection, $"{role}-events");
        await Eventually.Until(() => queue.GetJobCountsAsync(), c => c[JobStates.Completed] >= 2 * workload.Events.Count,
            TimeSpan.FromSeconds(60), "the replay processed");

        Assert.Equal(before, await DumpStoreAsync(role));
        await AssertExactlyOnceAsync(consumer, role, workload);
        await Eventually.Until(() => consumer.ProcessedAsync("duplicate"), n => n == workload.Events.Count, what: "every replayed event counted as a duplicate");
    }

    private static string Describe(IReadOnlyDictionary<string, long> counts) => string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"));
}
