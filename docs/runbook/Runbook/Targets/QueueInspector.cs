using BullMq;
using StackExchange.Redis;

namespace Runbook.Targets;

/// <summary>
/// A queue as Redis holds it now: BullMQ's counts, its pause flag, the age of the oldest waiting job, and the workers
/// attached to it (consumers, counted by their connection names as BullMQ's <c>getWorkers()</c> counts them).
/// </summary>
public sealed record QueueState(string Queue, bool Paused, IReadOnlyDictionary<string, long> Counts, TimeSpan OldestWaiting, int Workers)
{
    /// <summary>Jobs not yet applied by the consumer: waiting, active, prioritized, delayed.</summary>
    public long Pending => Counts[JobStates.Waiting] + Counts[JobStates.Active] + Counts[JobStates.Prioritized] + Counts[JobStates.Delayed];

    public string Summary => $"{Queue}: {Counts[JobStates.Waiting]} waiting, {Counts[JobStates.Active]} active, {Counts[JobStates.Delayed]} delayed, "
                             + $"{Counts[JobStates.Failed]} failed, {Counts[JobStates.Completed]} completed, {Consumers}{(Paused ? ", PAUSED" : string.Empty)}";

    /// <summary>Whether anything takes the queue's events: a queue without a consumer fills up unseen.</summary>
    public string Consumers => Workers switch
    {
        0 => "NO CONSUMER ATTACHED",
        1 => "1 consumer attached",
        var n => $"{n} consumers attached",
    };
}

/// <summary>Reads the event queues straight from Redis, as <c>redis-cli</c> would, with the same client the services use.</summary>
public sealed class QueueInspector(string redisConfiguration) : IAsyncDisposable
{
    public static readonly string[] EventQueues = ["metastore-events", "timestore-events"];

    private readonly QueueConnection _connection = QueueConnection.Create(redisConfiguration);

    public async Task<QueueState> ReadAsync(string queue)
    {
        var operations = new QueueOperations(_connection, queue);
        try
        {
            return new QueueState(
                queue, await operations.IsPausedAsync(), await operations.GetJobCountsAsync(), await operations.OldestWaitingAgeAsync(),
                await operations.GetWorkerCountAsync());
        }
        catch (Exception e) when (e is QueueUnavailableException or RedisException or TimeoutException)
        {
            throw new UnreachableException($"Redis did not answer for queue {queue}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The events of <paramref name="queue"/> in a state: <c>active</c>, held by a worker right now (a stalled consumer
    /// keeps holding them), or <c>waiting</c> (the oldest 10,000).
    /// </summary>
    public async Task<IReadOnlyList<string>> EventsAsync(string queue, string state)
    {
        var operations = new QueueOperations(_connection, queue);
        try
        {
            var events = new List<string>();
            var ids = state == JobStates.Active ? await operations.GetActiveJobIdsAsync() : await operations.GetWaitingJobIdsAsync();
            foreach (var id in ids)
            {
                if (await operations.GetJobAsync(id) is { } job)
                {
                    events.Add(job.DataJson);
                }
            }

            return events;
        }
        catch (Exception e) when (e is QueueUnavailableException or RedisException or TimeoutException)
        {
            throw new UnreachableException($"Redis did not answer for queue {queue}: {e.Message}", e);
        }
    }

    public async Task<IReadOnlyList<QueueState>> ReadAllAsync() => [await ReadAsync(EventQueues[0]), await ReadAsync(EventQueues[1])];

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
