using SampleConsumer.Tests.Infrastructure;

namespace SampleConsumer.Tests.Processes;

/// <summary>The consistency check of a consumer process: its store against the files on disk.</summary>
[Collection(RedisCollection.Name)]
public sealed class ConsistencyCheckTests(RedisServer redis) : ConsumerTest(redis)
{
    private const string Queue = "metastore-events";

    [Fact]
    public async Task The_consistency_check_names_missing_extra_and_different_files()
    {
        var root = Directory.CreateDirectory(Path.Combine(DataDirectory, Workload.Env, Workload.Service)).FullName;
        File.WriteAllText(Path.Combine(root, "same.txt"), "x");
        File.WriteAllText(Path.Combine(root, "changed.txt"), "on disk");
        File.WriteAllText(Path.Combine(root, "unknown.txt"), "never published");
        await using var consumer = await StartAsync("metastore");
        await AddAsync(Queue, "e1", Change("e1", "created", "same.txt", 1));
        await AddAsync(Queue, "e2", Change("e2", "created", "changed.txt", 2, content: "in the store"));
        await AddAsync(Queue, "e3", Change("e3", "created", "gone.txt", 3));
        await Eventually.Until(() => AppliedAsync(consumer), n => n == 3, what: "three events");

        var report = await consumer.GetAsync(Consistency);

        Assert.False(report.GetProperty("consistent").GetBoolean());
        Assert.Equal([("changed.txt", "different"), ("unknown.txt", "missing"), ("gone.txt", "extra")],
            report.GetProperty("mismatches").EnumerateArray().Select(m => (m.GetProperty("path").GetString(), m.GetProperty("problem").GetString())));
        Assert.Equal((3, 3), (report.GetProperty("filesOnDisk").GetInt32(), report.GetProperty("filesInStore").GetInt32()));
    }
}
