using System.Diagnostics.Metrics;
using BullMq;
using FilestoreStub.Events;
using FilestoreStub.Roots;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FilestoreStub.Tests.Events;

/// <summary>
/// The publishing step of the command path without a web host: events go to both queues when they can, and wait in
/// the outbox when they cannot (publishing paused, Redis gone). A Redis server of its own, since one test kills it.
/// </summary>
public sealed class EventDeliveryTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly string _data = Directory.CreateTempSubdirectory("filestore-delivery-").FullName;
    private QueueConnection _connection = null!;
    private PublishingSwitch _switch = null!;
    private EventOutbox _outbox = null!;
    private EventDelivery _delivery = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        _connection = QueueConnection.Create(_redis.Configuration);
        _switch = new PublishingSwitch(_redis.Multiplexer);
        _outbox = new EventOutbox(Options.Create(new ManagedRootOptions { DataDirectory = _data }), meters);
        _delivery = new EventDelivery(new EventPublisher(new QueueProducer(_connection), _switch, meters), _outbox, NullLogger<EventDelivery>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private static FilestoreEvent Event(string path, long sequence) =>
        new($"cmd-{path}", "staging", "billing", path, EventKinds.Created, EventSources.Command, 1_800_000_000_000, "corr-1", sequence);

    private async Task<List<string>> WaitingAsync(string queue) =>
        (await _redis.Db.ListRangeAsync(new QueueKeys(queue).Wait)).Select(v => (string)v!).Order(StringComparer.Ordinal).ToList();

    private List<string?> Outboxed() => _outbox.Pending().Select(p => p.Event?.EventId).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Events_the_queues_take_are_published_to_both_and_nothing_waits()
    {
        Assert.True(await _delivery.DeliverAsync([Event("a", 1), Event("b", 2)]));

        foreach (var queue in EventQueues.All)
        {
            Assert.Equal(["cmd-a", "cmd-b"], await WaitingAsync(queue));
        }

        Assert.Empty(Outboxed());
    }

    [Fact]
    public async Task While_publishing_is_paused_every_event_waits_in_the_outbox_and_none_reaches_a_queue()
    {
        await _switch.SetPausedAsync("staging", "billing", paused: true);

        Assert.True(await _delivery.IsPausedAsync("staging", "billing"));
        Assert.False(await _delivery.DeliverAsync([Event("a", 1), Event("b", 2)]));

        Assert.Equal(["cmd-a", "cmd-b"], Outboxed());
        Assert.Empty(await WaitingAsync(EventQueues.Metastore));
    }

    [Fact]
    public async Task With_Redis_gone_the_events_wait_in_the_outbox_and_the_call_still_returns()
    {
        await _redis.KillAsync();

        Assert.False(await _delivery.DeliverAsync([Event("a", 1)]).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal(["cmd-a"], Outboxed());
        await _redis.StartAgainAsync();
    }
}
