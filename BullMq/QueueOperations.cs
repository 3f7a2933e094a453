using StackExchange.Redis;

namespace BullMq;

/// <summary>A job's state, named as BullMQ's <c>getState()</c> names it.</summary>
public static class JobStates
{
    /// <summary>Waiting in the wait list.</summary>
    public const string Waiting = "waiting";
    /// <summary>Held by a worker.</summary>
    public const string Active = "active";
    /// <summary>Waiting for its delay to pass.</summary>
    public const string Delayed = "delayed";
    /// <summary>Waiting by priority.</summary>
    public const string Prioritized = "prioritized";
    /// <summary>Completed.</summary>
    public const string Completed = "completed";
    /// <summary>Failed for good.</summary>
    public const string Failed = "failed";
    /// <summary>A parent waiting for its children.</summary>
    public const string WaitingChildren = "waiting-children";
    /// <summary>No such job.</summary>
    public const string Unknown = "unknown";

    /// <summary>Every state <see cref="QueueOperations.GetJobCountsAsync"/> reports, in BullMQ's order.</summary>
    public static readonly IReadOnlyList<string> Counted = [Active, Completed, Delayed, Failed, Prioritized, Waiting, WaitingChildren];
}

/// <summary>
/// Operations on a whole queue: pause and resume with BullMQ 6 semantics, job counts as BullMQ's
/// <c>getJobCounts()</c> gives them, the age of the oldest waiting job, and job lookups.
/// </summary>
public sealed class QueueOperations(QueueConnection connection, string name, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The queue's keys.</summary>
    public QueueKeys Keys { get; } = new(name);

    /// <summary>The queue's name.</summary>
    public string Name => Keys.Name;

    /// <summary>Stops workers (this client's and BullMQ's) from taking jobs; producers may still add.</summary>
    public Task PauseAsync() => SetPausedAsync(paused: true);

    /// <summary>Lets workers take jobs again and wakes the blocked ones.</summary>
    public Task ResumeAsync() => SetPausedAsync(paused: false);

    /// <summary>True while <c>meta.paused</c> is set.</summary>
    public async Task<bool> IsPausedAsync() =>
        await Guard(async db => await db.HashExistsAsync(Keys.Meta, "paused"));

    /// <summary>Counts jobs in every state; the same numbers BullMQ's <c>getJobCounts()</c> returns.</summary>
    public Task<IReadOnlyDictionary<string, long>> GetJobCountsAsync() => Guard(async db =>
    {
        var batch = db.CreateBatch();
        var waiting = batch.ListLengthAsync(Keys.Wait);
        var active = batch.ListLengthAsync(Keys.Active);
        var delayed = batch.SortedSetLengthAsync(Keys.Delayed);
        var prioritized = batch.SortedSetLengthAsync(Keys.Prioritized);
        var completed = batch.SortedSetLengthAsync(Keys.Completed);
        var failed = batch.SortedSetLengthAsync(Keys.Failed);
        var waitingChildren = batch.SortedSetLengthAsync(Keys.WaitingChildren);
        batch.Execute();
        return (IReadOnlyDictionary<string, long>)new Dictionary<string, long>
        {
            [JobStates.Active] = await active,
            [JobStates.Completed] = await completed,
            [JobStates.Delayed] = await delayed,
            [JobStates.Failed] = await failed,
            [JobStates.Prioritized] = await prioritized,
            [JobStates.Waiting] = await waiting,
            [JobStates.WaitingChildren] = await waitingChildren,
        };
    });

    /// <summary>
    /// How long the oldest job ready to run has been in the queue (from when it was added): the tail of the wait list
    /// and the head of the prioritized set. Zero when nothing waits.
    /// </summary>
    public Task<TimeSpan> OldestWaitingAgeAsync() => Guard(async db =>
    {
        var oldestWaiting = await db.ListGetByIndexAsync(Keys.Wait, -1);
        var firstPrioritized = await db.SortedSetRangeByRankAsync(Keys.Prioritized, 0, 0);
        long? oldest = null;
        foreach (var id in new[] { oldestWaiting }.Concat(firstPrioritized).Where(v => !v.IsNullOrEmpty))
        {
            var timestamp = await db.HashGetAsync(Keys.Job(id!), "timestamp");
            if (timestamp.TryParse(out long ms))
            {
                oldest = oldest is null ? ms : Math.Min(oldest.Value, ms);
            }
        }

        return oldest is { } added
            ? TimeSpan.FromMilliseconds(Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds() - added))
            : TimeSpan.Zero;
    });

    /// <summary>The job, or null when no job has that id.</summary>
    public Task<Job?> GetJobAsync(string jobId) =>
        Guard(async db => Job.FromHash(Keys.Name, jobId, await db.HashGetAllAsync(Keys.Job(jobId))));

    /// <summary>The ids of the jobs workers hold right now (the <c>active</c> list), as BullMQ's <c>getActive()</c> lists them.</summary>
    public Task<IReadOnlyList<string>> GetActiveJobIdsAsync() =>
        Guard(async db => (IReadOnlyList<string>)(await db.ListRangeAsync(Keys.Active)).Select(id => (string)id!).ToList());

    /// <summary>The ids of up to <paramref name="max"/> jobs waiting to be taken (the <c>wait</c> list), oldest first.</summary>
    public Task<IReadOnlyList<string>> GetWaitingJobIdsAsync(long max = 10_000) =>
        Guard(async db => (IReadOnlyList<string>)(await db.ListRangeAsync(Keys.Wait, -max, -1)).Reverse().Select(id => (string)id!).ToList());

    /// <summary>The job's state, as BullMQ's <c>getState()</c> reports it.</summary>
    public Task<string> GetStateAsync(string jobId) => Guard(async db =>
    {
        if (await db.SortedSetScoreAsync(Keys.Completed, jobId) is not null)
        {
            return JobStates.Completed;
        }

        if (await db.SortedSetScoreAsync(Keys.Failed, jobId) is not null)
        {
            return JobStates.Failed;
        }

        if (await db.SortedSetScoreAsync(Keys.Delayed, jobId) is not null)
        {
            return JobStates.Delayed;
        }

        if (await db.SortedSetScoreAsync(Keys.Prioritized, jobId) is not null)
        {
            return JobStates.Prioritized;
        }

        if (await db.ListPositionAsync(Keys.Active, jobId) >= 0)
        {
            return JobStates.Active;
        }

        if (await db.ListPositionAsync(Keys.Wait, jobId) >= 0)
        {
            return JobStates.Waiting;
        }

        return await db.SortedSetScoreAsync(Keys.WaitingChildren, jobId) is not null ? JobStates.WaitingChildren : JobStates.Unknown;
    });

    /// <summary>
    /// The workers attached to the queue now, this client's and BullMQ's: the <c>CLIENT LIST</c> entries whose
    /// connection name BullMQ's <c>getWorkers()</c> matches (<see cref="QueueKeys.IsWorkerClientName"/>).
    /// </summary>
    public Task<int> GetWorkerCountAsync() => Guard(async db =>
    {
        var clients = (string?)await db.ExecuteAsync("CLIENT", "LIST") ?? string.Empty;
        return clients.Split('\n').Count(line => Keys.IsWorkerClientName(ConnectionName(line)));
    });

    // One CLIENT LIST line is space-separated key=value fields; a name never holds a space (CLIENT SETNAME refuses it).
    private static string? ConnectionName(string line) =>
        line.TrimEnd('\r').Split(' ').FirstOrDefault(field => field.StartsWith("name=", StringComparison.Ordinal))?["name=".Length..];

    private Task<RedisResult> SetPausedAsync(bool paused) => Guard(db => ScriptCalls.Pause(Keys, paused).RunAsync(db));

    internal async Task<T> Guard<T>(Func<IDatabase, Task<T>> operation)
    {
        try
        {
            return await operation(await connection.DatabaseAsync());
        }
        catch (Exception e) when (QueueConnection.IsLost(e))
        {
            throw new QueueUnavailableException($"Redis is unreachable; queue '{Name}' could not be read or changed: {e.Message}", e);
        }
    }
}
