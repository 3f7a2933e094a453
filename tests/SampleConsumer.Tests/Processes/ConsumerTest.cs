using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BullMq;
using SampleConsumer.Tests.Infrastructure;

namespace SampleConsumer.Tests.Processes;

/// <summary>A test with real consumer processes on the shared Redis (emptied first) and a data folder of its own.</summary>
public abstract class ConsumerTest : IAsyncLifetime
{
    protected ConsumerTest(RedisServer redis)
    {
        Redis = redis;
        redis.Db.Execute("FLUSHDB");
    }

    protected RedisServer Redis { get; }

    protected string DataDirectory { get; } = Directory.CreateTempSubdirectory("consumer-data-").FullName;

    protected QueueConnection Connection { get; private set; } = null!;

    protected QueueProducer Producer { get; private set; } = null!;

    protected const string Totals = $"/envs/{Workload.Env}/services/{Workload.Service}/totals";

    protected const string Consistency = $"/envs/{Workload.Env}/services/{Workload.Service}/consistency";

    public virtual Task InitializeAsync()
    {
        Connection = QueueConnection.Create(Redis.Configuration);
        Producer = new QueueProducer(Connection);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }

    protected Task<ConsumerProcess> StartAsync(string role, int concurrency = 8) => ConsumerProcess.StartAsync(Redis, role, DataDirectory, concurrency);

    /// <summary>Publishes one event as Filestore does (retried with a short backoff), under its id as the job id.</summary>
    protected Task<AddedJob> AddAsync(string queue, string id, object data) =>
        Producer.AddJsonAsync(queue, "change", JsonSerializer.Serialize(data), new JobOptions { JobId = id, Attempts = 5, Backoff = Backoff.Fixed(200) });

    /// <summary>A change event in Filestore's wire format; <paramref name="content"/> gives its size and hash.</summary>
    protected static object Change(string id, string kind, string path, long sequence, string content = "x", string? previous = null) => new
    {
        eventId = id, env = Workload.Env, service = Workload.Service, path, kind, source = "command", previousPath = previous,
        occurredAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), sequence, correlationId = $"corr-{id}",
        size = kind is "deleted" ? (long?)null : Encoding.UTF8.GetByteCount(content),
        sha256 = kind is "deleted" ? null : Sha256(content),
    };

    protected static string Sha256(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    /// <summary>The path's record in the role's store, through the consumer's API.</summary>
    protected static Task<JsonElement> PathAsync(ConsumerProcess consumer, string path) =>
        consumer.GetAsync($"/envs/{Workload.Env}/services/{Workload.Service}/paths?path={Uri.EscapeDataString(path)}");

    protected static async Task<long> AppliedAsync(ConsumerProcess consumer) => (await consumer.GetAsync(Totals)).GetProperty("events").GetInt64();

    /// <summary>How many events the role's store has applied, read from Redis directly (no consumer needed).</summary>
    protected async Task<long> StoredEventsAsync(string role) =>
        (long?)await Redis.Db.HashGetAsync($"{role}:{Workload.Env}:{Workload.Service}:totals", "events") ?? 0;

    /// <summary>Waits until every event was applied and nothing is left to take in the role's queue.</summary>
    protected async Task UntilAllAppliedAsync(ConsumerProcess consumer, string role, long events)
    {
        var operations = new QueueOperations(Connection, $"{role}-events");
        await Eventually.Until(async () => (Applied: await AppliedAsync(consumer), Counts: await operations.GetJobCountsAsync()),
            s => s.Applied >= events && s.Counts[JobStates.Waiting] + s.Counts[JobStates.Active] + s.Counts[JobStates.Delayed] == 0,
            TimeSpan.FromSeconds(120), $"{events} events applied by {role}");
    }

    /// <summary>
    /// Asserts the role's store holds each event the test sent exactly once and nothing else, checked against the
    /// workload (what was sent) rather than the store's own counters: the applied ids are the sent ids, every path is
    /// as the events say (Metastore: the last change of each path; Timestore: each path's whole history, in order), and
    /// the store agrees with the disk.
    /// </summary>
    protected async Task AssertExactlyOnceAsync(ConsumerProcess consumer, string role, Workload workload)
    {
        var prefix = $"{role}:{Workload.Env}:{Workload.Service}";
        var applied = (await Redis.Db.SetMembersAsync($"{prefix}:applied")).Select(m => (string)m!).ToHashSet(StringComparer.Ordinal);
        Assert.True(applied.SetEquals(workload.EventIds),
            $"applied but not sent: {string.Join(", ", applied.Except(workload.EventIds).Take(10))}; " +
            $"sent but not applied: {string.Join(", ", workload.EventIds.Except(applied).Take(10))}");
        var totals = await consumer.GetAsync(Totals);
        Assert.Equal(workload.Events.Count, totals.GetProperty("events").GetInt64());
        if (role == "timestore")
        {
            Assert.Equal(workload.Histories().ToDictionary(h => h.Key, h => string.Join(' ', h.Value)), await StoredHistoriesAsync(prefix));
            Assert.Equal(workload.Versions, totals.GetProperty("versions").GetInt64());
        }
        else
        {
            Assert.Equal(new Dictionary<string, PathState>(workload.LastChanges(), StringComparer.Ordinal), await StoredLastChangesAsync(prefix));
        }

        var report = await consumer.GetAsync(Consistency);
        Assert.True(report.GetProperty("consistent").GetBoolean(), report.GetProperty("mismatches").ToString());
        Assert.Equal(workload.FinalTree.Count, report.GetProperty("filesInStore").GetInt32());
    }

    /// <summary>Metastore's record of every path, read from Redis as it stores it.</summary>
    private async Task<Dictionary<string, PathState>> StoredLastChangesAsync(string prefix) =>
        (await Redis.Db.HashGetAllAsync($"{prefix}:files")).ToDictionary(e => (string)e.Name!, e =>
        {
            var record = JsonDocument.Parse((string)e.Value!).RootElement;
            return new PathState(record.GetProperty("eventId").GetString()!,
                long.Parse(record.GetProperty("sequence").GetString()!, CultureInfo.InvariantCulture), record.GetProperty("deleted").GetBoolean());
        }, StringComparer.Ordinal);

    /// <summary>Timestore's history of every path it knows, as the event ids of its entries in order, read from Redis.</summary>
    private async Task<Dictionary<string, string>> StoredHistoriesAsync(string prefix)
    {
        var paths = (await Redis.Db.SetMembersAsync($"{prefix}:paths")).Select(p => (string)p!).ToList();
        var histories = await Task.WhenAll(paths.Select(path => Redis.Db.SortedSetRangeByRankAsync($"{prefix}:history:{path}")));
        return paths.Zip(histories).ToDictionary(p => p.First,
            p => string.Join(' ', p.Second.Select(entry => JsonDocument.Parse((string)entry!).RootElement.GetProperty("eventId").GetString())),
            StringComparer.Ordinal);
    }

    /// <summary>Every key of the role's store with its whole content, in a stable order.</summary>
    protected async Task<SortedDictionary<string, string>> DumpStoreAsync(string role)
    {
        var dump = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in Redis.Multiplexer.GetServers().Single().Keys(pattern: $"{role}:*"))
        {
            dump[key!] = await Redis.Db.KeyTypeAsync(key) switch
            {
                StackExchange.Redis.RedisType.Hash => string.Join('\n', (await Redis.Db.HashGetAllAsync(key)).Select(e => $"{e.Name}={e.Value}").Order(StringComparer.Ordinal)),
                StackExchange.Redis.RedisType.SortedSet => string.Join('\n', (await Redis.Db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => $"{e.Score}:{e.Element}")),
                StackExchange.Redis.RedisType.Set => string.Join('\n', (await Redis.Db.SetMembersAsync(key)).Select(m => (string)m!).Order(StringComparer.Ordinal)),
                _ => (string?)await Redis.Db.StringGetAsync(key) ?? string.Empty,
            };
        }

        return dump;
    }
}
