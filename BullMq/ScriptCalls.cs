using StackExchange.Redis;

namespace BullMq;

/// <summary>
/// The one place that knows how each script in <c>Scripts/</c> is called: every method builds KEYS and ARGV in the
/// order the script's header lists them, and reads its answer into types the callers use. Callers decide what it means.
/// </summary>
internal static class ScriptCalls
{
    /// <summary>
    /// add.lua: adds the job to every queue in one atomic step, delayed, prioritized or waiting as the options say.
    /// Returns one <see cref="AddedJob"/> per queue, in <paramref name="queues"/>' order; a custom id that already exists
    /// adds nothing there. Fails with the server error <c>DRAINING &lt;key prefix&gt;</c>, having written nothing, when
    /// any of the queues is being drained.
    /// </summary>
    public static ScriptCall<IReadOnlyList<AddedJob>> Add(
        IReadOnlyList<QueueKeys> queues, long timestampMs, string name, string dataJson, JobOptions options)
    {
        RedisKey[] keys =
        [
            .. queues.SelectMany(static k => new[]
            {
                k.Wait, k.Meta, k.Id, k.Delayed, k.Prioritized, k.PriorityCounter, k.Events, k.Marker, k.Active,
            }),
        ];
        RedisValue[] args =
        [
            queues.Count,
            timestampMs,
            name,
            dataJson,
            options.ToJson(),
            options.Delay ?? 0,
            options.Priority ?? 0,
            options.JobId ?? string.Empty,
            Flag(options.Lifo == true),
            .. queues.Select(static k => (RedisValue)k.Prefix),
        ];

        return new(LuaScripts.Add, keys, args, result =>
        {
            var values = (RedisResult[])result!;
            var added = new List<AddedJob>(queues.Count);
            for (var i = 0; i < queues.Count; i++)
            {
                added.Add(new AddedJob(queues[i].Name, (string)values[i * 2]!, (long)values[i * 2 + 1] == 1));
            }

            return added;
        });
    }

    /// <summary>
    /// fetch.lua: promotes due delayed jobs, then moves the next ready job to active under a lock held by
    /// <paramref name="token"/>. Returns that job, or no job and the due time (ms) of the next delayed one (0: none).
    /// </summary>
    public static ScriptCall<(Job? Job, long NextDueAt)> Fetch(QueueKeys keys, long timestampMs, string token, TimeSpan lockDuration) =>
        new(LuaScripts.Fetch,
            [keys.Wait, keys.Active, keys.Prioritized, keys.PriorityCounter, keys.Delayed, keys.Meta, keys.Events, keys.Marker],
            [keys.Prefix, timestampMs, token, Milliseconds(lockDuration)],
            result =>
            {
                var values = (RedisResult[])result!;
                return (long)values[0] == 1
                    ? (Job.FromHash(keys.Name, (string)values[1]!, (RedisResult[])values[2]!), 0)
                    : (null, (long)values[1]);
            });

    /// <summary>
    /// finish.lua: ends an attempt of an active job held under <paramref name="token"/>. <paramref name="outcome"/> is
    /// <c>completed</c> or <c>failed</c> (final, keeping finished jobs as <paramref name="keep"/> says), <c>retry</c>
    /// (back to wait now) or <c>delay</c> (back after <paramref name="backoffMs"/>); <paramref name="value"/> is the
    /// return value JSON or the failure reason. With <paramref name="fetchNext"/> it then takes the next ready job, as
    /// <see cref="Fetch"/> would. Returns the attempts made, or a negative status when the job was not ours to end
    /// (-1 no such job, -2 lock missing, -3 not active, -6 locked by another worker), and the next job if one was taken.
    /// </summary>
    public static ScriptCall<(long Status, Job? Next)> Finish(
        QueueKeys keys,
        string jobId,
        string token,
        long timestampMs,
        string outcome,
        string value,
        string stacktraceJson,
        KeepJobs? keep,
        long backoffMs,
        bool lifo,
        int attempts,
        bool fetchNext,
        TimeSpan lockDuration) =>
        new(LuaScripts.Finish,
            [
                keys.Active, keys.Completed, keys.Failed, keys.Wait, keys.Prioritized, keys.PriorityCounter,
                keys.Delayed, keys.Meta, keys.Events, keys.Marker, keys.Stalled,
            ],
            [
                jobId, keys.Prefix, token, timestampMs, outcome, value, stacktraceJson,
                keep?.CountOrAll ?? -1, keep?.AgeOrUnlimited ?? -1, backoffMs, Flag(lifo),
                attempts, Flag(fetchNext), Milliseconds(lockDuration),
            ],
            result =>
            {
                var values = (RedisResult[])result!;
                // A next job follows the attempts as {1, id, hash}; {0, due time} (the hash absent) means none was ready.
                var next = values.Length > 3 && (long)values[1] == 1
                    ? Job.FromHash(keys.Name, (string)values[2]!, (RedisResult[])values[3]!)
                    : null;
                return ((long)values[0], next);
            });

    /// <summary>
    /// extend.lua: renews the locks <paramref name="token"/> holds on <paramref name="jobIds"/>, which takes them out of
    /// the stall candidates. Returns the ids whose lock was gone or taken by another worker.
    /// </summary>
    public static ScriptCall<IReadOnlyList<string>> Extend(QueueKeys keys, string token, TimeSpan lockDuration, IEnumerable<string> jobIds) =>
        new(LuaScripts.Extend,
            [keys.Stalled],
            [keys.Prefix, token, Milliseconds(lockDuration), .. jobIds.Select(static id => (RedisValue)id)],
            Ids);

    /// <summary>
    /// stalled.lua: at most once per <paramref name="checkInterval"/> across all workers, moves active jobs whose lock
    /// expired since the previous check back to wait, marking those stalled more than <paramref name="maxStalledCount"/>
    /// times to fail. Returns the ids moved back.
    /// </summary>
    public static ScriptCall<IReadOnlyList<string>> Stalled(QueueKeys keys, long timestampMs, int maxStalledCount, TimeSpan checkInterval) =>
        new(LuaScripts.Stalled,
            [keys.Stalled, keys.Wait, keys.Active, keys.StalledCheck, keys.Meta, keys.Marker, keys.Events],
            [keys.Prefix, timestampMs, maxStalledCount, Milliseconds(checkInterval)],
            Ids);

    /// <summary>
    /// pause.lua: pauses the queue (<paramref name="paused"/>) or resumes it and wakes blocked workers; only
    /// <c>meta.paused</c> changes, no job moves (BullMQ 6). Returns 1.
    /// </summary>
    public static ScriptCall<RedisResult> Pause(QueueKeys keys, bool paused) =>
        new(LuaScripts.Pause,
            [keys.Meta, keys.Marker, keys.Events, keys.Wait, keys.Prioritized, keys.Delayed],
            [paused ? "paused" : "resumed"],
            static result => result);

    /// <summary>
    /// remove.lua: deletes <paramref name="jobIds"/> that are waiting, prioritized, delayed or failed, with their keys;
    /// an active job is never touched. Returns the ids removed.
    /// </summary>
    public static ScriptCall<IReadOnlyList<string>> Remove(QueueKeys keys, IEnumerable<string> jobIds) =>
        new(LuaScripts.Remove,
            [keys.Wait, keys.Prioritized, keys.Delayed, keys.Failed],
            [keys.Prefix, .. jobIds.Select(static id => (RedisValue)id)],
            Ids);

    private static RedisValue Flag(bool on) => on ? "1" : "0";

    private static long Milliseconds(TimeSpan duration) => (long)duration.TotalMilliseconds;

    private static List<string> Ids(RedisResult result) => ((RedisResult[])result!).Select(static r => (string)r!).ToList();
}
