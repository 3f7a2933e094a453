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
        await using (var first = await StartAsync(role))
        {
            await workload.PublishAsync(Producer, $"{role}-events");
            await Eventually.Until(() => AppliedAsync(first), n => n >= 2_000, TimeSpan.FromSeconds(60), "2,000 events applied before the crash");
            await first.KillAsync();
        }

        await using var second = await StartAsync(role);
        await UntilAllAppliedAsync(second, role, workload.Events.Count);

        await AssertExactlyOnceAsync(second, role, workload);
    }

    [Theory]
    [InlineData("metastore")]
    [InlineData("timestore")]
    public async Task Two_instances_of_one_role_at_once_apply_each_event_exactly_once(string role)
    {
        var workload = Workload.Generate(4_000, paths: 40, seed: 2);
        workload.WriteTo(DataDirectory);
        await using var one = await StartAsync(role);
        await using var two = await StartAsync(role);

        await workload.PublishAsync(Producer, $"{role}-events");
        await UntilAllAppliedAsync(one, role, workload.Events.Count);

        await AssertExactlyOnceAsync(two, role, workload);
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
        var queue = new BullMq.QueueOperations(Connection, $"{role}-events");
        await Eventually.Until(() => queue.GetJobCountsAsync(), c => c[BullMq.JobStates.Completed] >= 2 * workload.Events.Count,
            TimeSpan.FromSeconds(60), "the replay processed");

        Assert.Equal(before, await DumpStoreAsync(role));
        await AssertExactlyOnceAsync(consumer, role, workload);
        var metrics = await consumer.Http.GetStringAsync("/metrics");
        Assert.Matches($"consumer_events_processed_total\\{{[^}}]*outcome=\"duplicate\"[^}}]*\\}} {workload.Events.Count}\\b", metrics);
    }
}
