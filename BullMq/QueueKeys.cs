using System.Text;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace BullMq;

/// <summary>
/// The Redis keys of one BullMQ queue (<c>bull:&lt;queue&gt;:…</c>), as BullMQ 6 lays them out.
/// Constructing one validates the queue name, so an invalid name never reaches Redis.
/// </summary>
public sealed partial class QueueKeys
{
    /// <summary>BullMQ's default key prefix.</summary>
    public const string DefaultPrefix = "bull";

    /// <summary>Creates the key layout for <paramref name="queueName"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, too long, or has characters BullMQ or Redis tools mishandle.</exception>
    public QueueKeys(string queueName, string prefix = DefaultPrefix)
    {
        if (string.IsNullOrEmpty(queueName) || !ValidName().IsMatch(queueName))
        {
            throw new ArgumentException(
                $"Queue name '{queueName}' is invalid: use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit (':' is BullMQ's key separator).",
                nameof(queueName));
        }

        if (string.IsNullOrEmpty(prefix) || !ValidName().IsMatch(prefix))
        {
            throw new ArgumentException($"Key prefix '{prefix}' is invalid.", nameof(prefix));
        }

        Name = queueName;
        Prefix = $"{prefix}:{queueName}:";
        ClientName = $"{prefix}:{Convert.ToBase64String(Encoding.UTF8.GetBytes(queueName))}";
    }

    /// <summary>The queue's name.</summary>
    public string Name { get; }

    /// <summary>The prefix of every key of this queue, <c>bull:&lt;queue&gt;:</c>; a job's hash is the prefix plus its id.</summary>
    public string Prefix { get; }

    /// <summary>
    /// BullMQ's Redis connection name for this queue, <c>&lt;prefix&gt;:&lt;base64 of the queue name&gt;</c>. BullMQ's
    /// <c>Queue.getWorkers()</c> (and so bull-board) counts each client whose name is this, or this followed by
    /// <c>:w:&lt;worker name&gt;</c>, as a worker of the queue.
    /// </summary>
    public string ClientName { get; }

    /// <summary>The connection name of a worker of this queue, as BullMQ names a worker's blocking connection.</summary>
    public string WorkerClientName(string? workerName) => workerName is null ? ClientName : $"{ClientName}{WorkerNameSeparator}{workerName}";

    /// <summary>Whether a connection name from <c>CLIENT LIST</c> is one that <c>getWorkers()</c> counts for this queue.</summary>
    public bool IsWorkerClientName(string? connectionName) =>
        connectionName is not null &&
        (connectionName == ClientName || connectionName.StartsWith(ClientName + WorkerNameSeparator, StringComparison.Ordinal));

    private const string WorkerNameSeparator = ":w:";

    /// <summary>List of waiting job ids; producers push at the head, workers take from the tail.</summary>
    public RedisKey Wait => Prefix + "wait";

    /// <summary>List of job ids being processed.</summary>
    public RedisKey Active => Prefix + "active";

    /// <summary>Sorted set of prioritized job ids.</summary>
    public RedisKey Prioritized => Prefix + "prioritized";

    /// <summary>Counter that keeps equal priorities in insertion order.</summary>
    public RedisKey PriorityCounter => Prefix + "pc";

    /// <summary>Sorted set of delayed job ids, scored by due time.</summary>
    public RedisKey Delayed => Prefix + "delayed";

    /// <summary>Sorted set of completed job ids, scored by finish time.</summary>
    public RedisKey Completed => Prefix + "completed";

    /// <summary>Sorted set of failed job ids, scored by finish time.</summary>
    public RedisKey Failed => Prefix + "failed";

    /// <summary>Sorted set of parent jobs waiting for children (flows; counted, never written here).</summary>
    public RedisKey WaitingChildren => Prefix + "waiting-children";

    /// <summary>Queue metadata hash (<c>paused</c>, <c>opts.maxLenEvents</c>, …).</summary>
    public RedisKey Meta => Prefix + "meta";

    /// <summary>Job id counter.</summary>
    public RedisKey Id => Prefix + "id";

    /// <summary>Sorted set workers block on to learn that work is ready or when the next delayed job is due.</summary>
    public RedisKey Marker => Prefix + "marker";

    /// <summary>Event stream (<c>added</c>, <c>waiting</c>, <c>active</c>, <c>completed</c>, …).</summary>
    public RedisKey Events => Prefix + "events";

    /// <summary>Set of active job ids that are stall candidates until their lock is renewed.</summary>
    public RedisKey Stalled => Prefix + "stalled";

    /// <summary>Key that limits stall checks to one per interval across all workers.</summary>
    public RedisKey StalledCheck => Prefix + "stalled-check";

    /// <summary>The hash of job <paramref name="jobId"/>.</summary>
    public RedisKey Job(string jobId) => Prefix + jobId;

    /// <summary>The lock of job <paramref name="jobId"/> while a worker holds it.</summary>
    public RedisKey Lock(string jobId) => Prefix + jobId + ":lock";

    /// <inheritdoc/>
    public override string ToString() => Name;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex ValidName();
}
