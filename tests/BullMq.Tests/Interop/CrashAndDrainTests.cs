using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using BullMq.Tests.Infrastructure;

namespace BullMq.Tests.Interop;

[Collection(RedisCollection.Name)]
public sealed class CrashAndDrainTests(RedisServer redis) : QueueTest(redis)
{
    private readonly BullMqNode _bullmq = new(redis);
    private readonly string _exportDirectory = Path.Combine(Path.GetTempPath(), $"bullmq-interop-drain-{Guid.NewGuid():N}");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_exportDirectory))
        {
            Directory.Delete(_exportDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_csharp_worker_killed_mid_job_leaves_the_job_to_be_recovered_and_processed_exactly_once()
    {
        var queue = RedisServer.UniqueQueue("crash");
        var added = await new QueueProducer(Connection).AddAsync(queue, "interrupted", new { });
        using var crashing = StartCrashWorker(queue, lockMs: 1500);
        await Eventually.Until(
            async () => (await Redis.Db.ListRangeAsync($"crash:{queue}:started")).Select(v => (string)v!).ToList(),
            started => started.Contains(added.JobId), TimeSpan.FromSeconds(30), "the crash worker to start the job");

        crashing.Kill();
        await crashing.WaitForExitAsync();
        var runs = 0;
        Workers.Start(queue, (_, _) =>
        {
            Interlocked.Increment(ref runs);
            return Task.FromResult<object?>("recovered");
        });
        var operations = Operations(queue);
        var job = await Eventually.Until(() => operations.GetJobAsync(added.JobId), j => j?.FinishedOn is not null, TimeSpan.FromSeconds(30), "recovery");

        Assert.Equal(1, Volatile.Read(ref runs));
        Assert.Equal("\"recovered\"", job!.ReturnValueJson);
        Assert.Equal(1, job.AttemptsMade);
        Assert.Equal(2, job.AttemptsStarted);
        Assert.Equal(1, job.StalledCounter);
        var completedEvents = (await Redis.Db.StreamRangeAsync(new QueueKeys(queue).Events)).Count(e => (string?)e["event"] == "completed");
        Assert.Equal(1, completedEvents);
    }

    [Fact]
    public async Task A_graceful_drain_with_producers_and_bothWorkers_running_loses_and_duplicates_nothing()
    {
        var queue = RedisServer.UniqueQueue("drain-live");
        var producer = new QueueProducer(Connection);
        var accepted = new ConcurrentBag<string>();
        var processedByCsharp = new ConcurrentDictionary<string, int>();
        var bullmqStarts = $"test:{queue}:bullmq-starts";
        var bullmqStop = $"test:{queue}:bullmq-stop";
        using var stopProducing = new CancellationTokenSource();

        var producing = Task.Run(async () =>
        {
            for (var i = 0; !stopProducing.IsCancellationRequested; i++)
            {
                try
                {
                    var options = i % 5 == 0 ? new JobOptions { Delay = 60_000 } : null;
                    accepted.Add((await producer.AddAsync(queue, "e", new { i, sleepMs = 15 }, options)).JobId);
                }
                catch (QueueDrainingException)
                {
                    await Task.Delay(20, CancellationToken.None);
                }

                await Task.Delay(5, CancellationToken.None);
            }
        });
        // The BullMQ worker runs until the test says stop, so it is still working when the drain starts.
        var bullmq = _bullmq.RunAsync("work",
            new { queue, expect = 100_000, timeoutMs = 50_000, startsTo = bullmqStarts, stopWhenKey = bullmqStop }, TimeSpan.FromSeconds(60));
        var csharp = Workers.Start(queue, async (job, _) =>
        {
            processedByCsharp.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
            await Task.Delay(15, CancellationToken.None);
            return null;
        });
        await Eventually.Until(
            async () => (Csharp: processedByCsharp.Count, Bullmq: await Redis.Db.ListLengthAsync(bullmqStarts)),
            started => started.Csharp >= 5 && started.Bullmq >= 5, TimeSpan.FromSeconds(30), "both workers to take jobs");

        var file = Path.Combine(_exportDirectory, "drain.jsonl");
        var report = await new QueueDrain(Connection).DrainAsync(queue, TimeSpan.FromMilliseconds(300), file);
        await stopProducing.CancelAsync();
        await producing;
        // Both workers stop before the queue is read, so no job moves between the reads below.
        await Redis.Db.StringSetAsync(bullmqStop, 1);
        var bullmqRun = await bullmq;
        await csharp.StopAsync(TimeSpan.FromSeconds(10));
        var operations = Operations(queue);
        await Eventually.Until(operations.GetJobCountsAsync, c => c[JobStates.Active] == 0, what: "in-flight jobs to finish");

        var exported = report.ExportFile is null
            ? []
            : (await File.ReadAllLinesAsync(file)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToList();
        var completed = (await Redis.Db.SortedSetRangeByRankAsync(new QueueKeys(queue).Completed)).Select(v => (string)v!).ToList();
        var stillQueued = (await Redis.Db.ListRangeAsync(new QueueKeys(queue).Wait)).Select(v => (string)v!)
            .Concat((await Redis.Db.SortedSetRangeByRankAsync(new QueueKeys(queue).Delayed)).Select(v => (string)v!)).ToList();
        var processedByBullmq = bullmqRun["seen"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).ToList();

        Assert.False(bullmqRun["timedOut"]!.GetValue<bool>(), "the BullMQ worker should have run until told to stop");
        Assert.True(report.Exported > 0, "the drain deadline should have left delayed jobs to export");
        Assert.Empty(exported.Intersect(completed));
        Assert.Equal(exported.Count, exported.Distinct().Count());
        // Every accepted job is completed, exported, or (added after the drain ended) still queued, and only one of them.
        Assert.Equal(accepted.Order(), completed.Concat(exported).Concat(stillQueued).Order());
        // Every completed job was run by exactly one of the two workers, once.
        Assert.All(processedByCsharp.Values, n => Assert.Equal(1, n));
        Assert.Equal(processedByBullmq.Count, processedByBullmq.Distinct().Count());
        Assert.Empty(processedByBullmq.Intersect(processedByCsharp.Keys));
        Assert.Equal(completed.Order(), processedByCsharp.Keys.Concat(processedByBullmq).Order());
    }

    private Process StartCrashWorker(string queue, int lockMs)
    {
        var dll = AppContext.BaseDirectory.Replace(
            $"{Path.DirectorySeparatorChar}BullMq.Tests{Path.DirectorySeparatorChar}",
            $"{Path.DirectorySeparatorChar}BullMq.CrashWorker{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal);
        var start = new ProcessStartInfo("dotnet", [Path.Combine(dll, "BullMq.CrashWorker.dll"), Redis.Configuration, queue, $"{lockMs}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("The crash worker did not start.");
    }
}
