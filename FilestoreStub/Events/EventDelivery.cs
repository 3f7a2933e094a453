namespace FilestoreStub.Events;

/// <summary>
/// Delivers the events of changes already made on disk: published to both queues when they take them, otherwise kept
/// in the outbox, which publishes them as soon as they can be. Never cancelled: the change is made, its event must follow.
/// </summary>
public sealed class EventDelivery(EventPublisher publisher, EventOutbox outbox, ILogger<EventDelivery> logger)
{
    /// <summary>Whether the events of <paramref name="env"/>/<paramref name="service"/> are held back (paused by an operator or a rollback).</summary>
    public ValueTask<bool> IsPausedAsync(string env, string service) => publisher.IsPausedAsync(env, service);

    /// <summary>True when every event was published now, false when at least one waits in the outbox.</summary>
    public async Task<bool> DeliverAsync(IReadOnlyList<FilestoreEvent> events)
    {
        var published = true;
        foreach (var @event in events)
        {
            try
            {
                await publisher.PublishAsync(@event, CancellationToken.None);
            }
            catch (Exception e) when (EventPublisher.IsUnavailable(e))
            {
                await outbox.StageAsync(@event, CancellationToken.None);
                published = false;
                DeliveryLog.Deferred(logger, @event.EventId, e.Message);
            }
        }

        return published;
    }
}

internal static partial class DeliveryLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} could not be published ({Reason}); it waits in the outbox")]
    public static partial void Deferred(ILogger logger, string eventId, string reason);
}
