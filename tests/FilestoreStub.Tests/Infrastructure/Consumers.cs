using System.Collections.Concurrent;
using System.Text.Json;
using BullMq;
using FilestoreStub.Events;

namespace FilestoreStub.Tests.Infrastructure;

/// <summary>
/// Stand-ins for Metastore and Timestore: a real worker on each event queue that takes <c>applyEvery</c> per event and
/// records the id of every event it applied, so a test can add up applied and exported.
/// </summary>
public sealed class Consumers : IAsyncDisposable
{
    private readonly QueueConnection _connection;
    private readonly List<QueueWorker> _workers = [];
    private bool _stopped;

    private Consumers(QueueConnection connection) => _connection = connection;

    /// <summary>The event ids applied, per queue.</summary>
    public ConcurrentDictionary<string, ConcurrentBag<string>> Applied { get; } = new();

    public static Consumers Start(RedisServer redis, TimeSpan applyEvery, int concurrency = 1)
    {
        var consumers = new Consumers(QueueConnection.Create(redis.Configuration));
        foreach (var queue in EventQueues.All)
        {
            var applied = consumers.Applied.GetOrAdd(queue, _ => []);
            var worker = new QueueWorker(consumers._connection, queue, async (job, ct) =>
            {
                await Task.Delay(applyEvery, ct);
                applied.Add(JsonDocument.Parse(job.DataJson).RootElement.GetProperty("eventId").GetString()!);
                return null;
            }, new WorkerOptions { Concurrency = concurrency });
            consumers._workers.Add(worker);
            worker.Start();
        }

        return consumers;
    }

    /// <summary>Stops taking events; those in hand are finished first.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        foreach (var worker in _workers)
        {
            await worker.StopAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await _connection.DisposeAsync();
    }

    /// <summary>Events of <paramref name="queue"/> not yet applied: waiting, active, delayed or prioritized.</summary>
    public static async Task<long> PendingAsync(RedisServer redis, string queue)
    {
        await using var connection = QueueConnection.Create(redis.Configuration);
        var counts = await new QueueOperations(connection, queue).GetJobCountsAsync();
        return counts[JobStates.Waiting] + counts[JobStates.Active] + counts[JobStates.Delayed] + counts[JobStates.Prioritized];
    }

    /// <summary>The event ids in every rollback export under the data folder (the drains' and the outbox's), per queue.</summary>
    public static Dictionary<string, HashSet<string>> Exported(string dataDirectory)
    {
        var exports = Path.Combine(dataDirectory, "exports");
        return EventQueues.All.ToDictionary(queue => queue, queue => Directory.Exists(exports)
            ? Directory.GetFiles(exports, $"*-{queue}*.jsonl").SelectMany(File.ReadAllLines)
                .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("data").GetProperty("eventId").GetString()!).ToHashSet()
            : []);
    }
}
