using System.Diagnostics.Metrics;
using BullMq;

namespace FilestoreStub.Events;

/// <summary>
/// Publishes every event to both consumer queues in one atomic step (a job either reaches both queues or neither),
/// with the event id as the job id, and counts it per queue in <c>filestore_events_published_total{env,service,queue}</c>.
/// The queue client stores the current trace context in the job, so processing continues the request's trace.
/// </summary>
public sealed class EventPublisher
{
    private static readonly JobOptions Retention = new()
    {
        Attempts = 5,
        Backoff = Backoff.Exponential(200),
        // Consumers keep their own stores; the queues keep a window of history for operators, not everything forever.
        RemoveOnComplete = new KeepJobs(10_000, 24 * 3600),
        RemoveOnFail = new KeepJobs(10_000, 7 * 24 * 3600),
    };

    private readonly QueueProducer _producer;
    private readonly PublishingSwitch _switch;
    private readonly Counter<long> _published;

    public EventPublisher(QueueProducer producer, PublishingSwitch publishing, IMeterFactory meterFactory)
    {
        _producer = producer;
        _switch = publishing;
        _published = meterFactory.Create(FilestoreTelemetry.MeterName)
            .CreateCounter<long>("filestore_events_published", description: "Events published, per environment, service and queue.");
    }

    /// <summary>Publishes <paramref name="event"/>; true when it was new, false when an event with its id was already published.</summary>
    /// <exception cref="QueueUnavailableException">Redis is unreachable; the event was published nowhere.</exception>
    /// <exception cref="QueueDrainingException">A queue is being drained for a rollback; the event was published nowhere.</exception>
    /// <exception cref="PublishingPausedException">Publishing of the event's service is paused; the event was published nowhere.</exception>
    public async Task<bool> PublishAsync(FilestoreEvent @event, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(@event.Sequence, 0, "event.Sequence");
        if (await _switch.IsPausedAsync(@event.Env, @event.Service))
        {
            throw new PublishingPausedException(@event.Env, @event.Service);
        }

        var added = await _producer.AddToManyAsync(EventQueues.All, @event.Kind, @event, Retention with { JobId = @event.EventId }, ct);
        foreach (var job in added.Where(a => a.Created))
        {
            Count(@event, job.Queue);
        }

        return added.All(a => a.Created);
    }

    /// <summary>
    /// Adds <paramref name="event"/> again to <paramref name="queue"/> only, as job <paramref name="name"/> with the data
    /// exactly as exported (<paramref name="dataJson"/>) and the usual options; the other queue's copy may have been
    /// processed already. True when the job was added, false when the queue still holds a job with the event's id.
    /// </summary>
    /// <exception cref="QueueUnavailableException">Redis is unreachable; nothing was added.</exception>
    /// <exception cref="QueueDrainingException">The queue is being drained for a rollback; nothing was added.</exception>
    /// <exception cref="PublishingPausedException">Publishing of the event's service is paused; nothing was added.</exception>
    public async Task<bool> RepublishAsync(string queue, string name, FilestoreEvent @event, string dataJson, CancellationToken ct = default)
    {
        if (!EventQueues.All.Contains(queue))
        {
            throw new ArgumentException($"'{queue}' is not one of the event queues.", nameof(queue));
        }

        if (await _switch.IsPausedAsync(@event.Env, @event.Service))
        {
            throw new PublishingPausedException(@event.Env, @event.Service);
        }

        var added = await _producer.AddJsonAsync(queue, name, dataJson, Retention with { JobId = @event.EventId }, ct);
        if (added.Created)
        {
            Count(@event, queue);
        }

        return added.Created;
    }

    private void Count(FilestoreEvent @event, string queue) =>
        _published.Add(1, new("env", @event.Env), new("service", @event.Service), new("queue", queue));

    /// <summary>Whether publishing of the service's events is paused (an operator or a rollback stopped it).</summary>
    public ValueTask<bool> IsPausedAsync(string env, string service) => _switch.IsPausedAsync(env, service);

    /// <summary>
    /// True for the failures that mean "not now": the event can be published again later, and its id makes a second
    /// publish harmless if a timed-out first one did reach the queues. Redis failing under the publishing switch counts too.
    /// </summary>
    public static bool IsUnavailable(Exception e) => e is QueueDrainingException or PublishingPausedException || Problems.IsStoreUnavailable(e);
}
