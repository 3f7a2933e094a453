using BullMq;
using Runbook.Targets;

namespace Sandbox.Tests.Runbook;

/// <summary>The runbook's queue list says, per queue, whether a consumer is attached, by the rule of BullMQ's getWorkers().</summary>
public sealed class QueueInspectorTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task A_queue_with_a_running_consumer_counts_it_and_one_without_counts_none()
    {
        await using var connection = QueueConnection.Create(_redis.Configuration);
        await using var inspector = new QueueInspector(_redis.Configuration);
        var worker = new QueueWorker(connection, "metastore-events", (_, _) => Task.FromResult<object?>(null), new WorkerOptions { Name = "metastore" });
        await using (worker)
        {
            worker.Start();

            var states = await Eventually.Until(inspector.ReadAllAsync, s => s[0].Workers == 1, what: "the consumer to be counted");

            var timestore = states.Single(s => s.Queue == "timestore-events");
            Assert.Equal(0, timestore.Workers);
            Assert.EndsWith(", 1 consumer attached", states.Single(s => s.Queue == "metastore-events").Summary, StringComparison.Ordinal);
            Assert.EndsWith(", NO CONSUMER ATTACHED", timestore.Summary, StringComparison.Ordinal);
            await worker.StopAsync(TimeSpan.FromSeconds(10));
            await Eventually.Until(() => inspector.ReadAsync("metastore-events"), s => s.Workers == 0, what: "the stopped consumer to be gone");
        }
    }
}
