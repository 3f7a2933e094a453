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

    protected static async Task<long> AppliedAsync(ConsumerProcess consumer) => (await consumer.GetAsync(Totals)).GetProperty("events").GetInt64();

    /// <summary>Waits until every event was applied and nothing is left to take in the role's queue.</summary>
    protected async Task UntilAllAppliedAsync(ConsumerProcess consumer, string role, long events)
    {
        var operations = new QueueOperations(Connection, $"{role}-events");
        await Eventually.Until(async () => (Applied: await AppliedAsync(consumer), Counts: await operations.GetJobCountsAsync()),
            s => s.Applied >= events && s.Counts[JobStates.Waiting] + s.Counts[JobStates.Active] + s.Counts[JobStates.Delayed] == 0,
            TimeSpan.FromSeconds(120), $"{events} events applied by {role}");
    }

    /// <summary>Asserts the store matches the workload's final tree exactly, and holds each event once.</summary>
    protected async Task AssertExactlyOnceAsync(ConsumerProcess consumer, string role, Workload workload)
    {
        var totals = await consumer.GetAsync(Totals);
        var report = await consumer.GetAsync(Consistency);
        Assert.Equal(workload.Events.Count, totals.GetProperty("events").GetInt64());
        Assert.Equal(workload.Events.Count, await Redis.Db.SetLengthAsync($"{role}:{Workload.Env}:{Workload.Service}:applied"));
        Assert.True(report.GetProperty("consistent").GetBoolean(), report.GetProperty("mismatches").ToString());
        Assert.Equal(workload.FinalTree.Count, report.GetProperty("filesInStore").GetInt32());
        if (role == "timestore")
        {
            Assert.Equal(workload.Versions, totals.GetProperty("versions").GetInt64());
        }
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
