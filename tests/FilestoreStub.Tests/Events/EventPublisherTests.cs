using System.Text.Json;
using BullMq;
using FilestoreStub.Events;
using FilestoreStub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FilestoreStub.Tests.Events;

[Collection(RedisCollection.Name)]
public sealed class EventPublisherTests(RedisServer redis) : FilestoreTest(redis)
{
    private static FilestoreEvent NewEvent(string path) =>
        new(Guid.NewGuid().ToString("N"), "staging", "billing", path, EventKinds.Created, EventSources.Command,
            1_800_000_000_000, "corr-1", 1_800_000_000_000_000, Size: 12, Sha256: new string('a', 64));

    [Fact]
    public async Task An_event_reaches_both_queues_as_one_job_per_queue_keyed_by_its_id()
    {
        var publisher = App.Services.GetRequiredService<EventPublisher>();
        var @event = NewEvent("invoices/a.pdf");

        Assert.True(await publisher.PublishAsync(@event));

        foreach (var queue in EventQueues.All)
        {
            var job = (await Redis.Db.HashGetAllAsync(new QueueKeys(queue).Job(@event.EventId))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
            Assert.Equal(EventKinds.Created, job["name"]);
            Assert.Equal(@event, JsonSerializer.Deserialize<FilestoreEvent>(job["data"]));
            Assert.Contains(@event.EventId, (await Redis.Db.ListRangeAsync(new QueueKeys(queue).Wait)).Select(v => (string)v!));
        }
    }

    [Fact]
    public async Task Publishing_the_same_event_again_adds_nothing()
    {
        var publisher = App.Services.GetRequiredService<EventPublisher>();
        var @event = NewEvent("invoices/b.pdf");
        await publisher.PublishAsync(@event);
        var before = await Redis.Db.ListLengthAsync(new QueueKeys(EventQueues.Metastore).Wait);

        Assert.False(await publisher.PublishAsync(@event));

        Assert.Equal(before, await Redis.Db.ListLengthAsync(new QueueKeys(EventQueues.Metastore).Wait));
    }

    [Fact]
    public async Task Published_events_are_counted_per_environment_service_and_queue()
    {
        await App.Services.GetRequiredService<EventPublisher>().PublishAsync(NewEvent("invoices/c.pdf"));

        var metrics = await Eventually.Until(() => App.CreateClient().GetStringAsync("/metrics"),
            text => text.Contains("filestore_events_published_total{", StringComparison.Ordinal), what: "the published counter");

        foreach (var queue in EventQueues.All)
        {
            Assert.Matches($"filestore_events_published_total\\{{(?=[^}}]*env=\"staging\")(?=[^}}]*service=\"billing\")[^}}]*queue=\"{queue}\"[^}}]*\\}} [1-9]", metrics);
        }
    }
}
