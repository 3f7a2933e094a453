// A C# worker in its own process, for the crash tests: it takes jobs from a queue, records each start in Redis
// (list "crash:<queue>:started") and then hangs, so the test can kill the process mid-job.
// Usage: BullMq.CrashWorker <redis configuration> <queue> <lock duration ms>
using BullMq;
using StackExchange.Redis;

if (args.Length != 3 || !int.TryParse(args[2], out var lockMs))
{
    Console.Error.WriteLine("usage: BullMq.CrashWorker <redis configuration> <queue> <lock duration ms>");
    return 2;
}

var (configuration, queue) = (args[0], args[1]);
await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
await using var connection = QueueConnection.Create(configuration);
await using var worker = new QueueWorker(connection, queue, async (job, ct) =>
{
    await redis.GetDatabase().ListRightPushAsync($"crash:{queue}:started", job.Id);
    await Task.Delay(Timeout.Infinite, ct);
    return null;
}, new WorkerOptions { LockDuration = TimeSpan.FromMilliseconds(lockMs), StalledInterval = TimeSpan.FromMilliseconds(lockMs) });
worker.Start();
Console.WriteLine("ready");
await Task.Delay(Timeout.Infinite);
return 0;
