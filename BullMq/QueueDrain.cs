using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace BullMq;

/// <summary>What a graceful drain did. Every job that was pending is in exactly one of processed, exported or still active.</summary>
/// <param name="Queue">The drained queue.</param>
/// <param name="Processed">Jobs that left the queue through workers during the drain.</param>
/// <param name="Exported">Jobs written to the export file (waiting, prioritized, delayed or failed at the end).</param>
/// <param name="Removed">Exported jobs removed from Redis afterwards (only ever exported ones).</param>
/// <param name="StillActive">Jobs a worker still held when the drain ended; they stay in Redis.</param>
/// <param name="Emptied">True when waiting + active reached zero before the deadline.</param>
/// <param name="ExportFile">The JSON-lines file, or null when nothing was left to export.</param>
/// <param name="Took">How long the drain ran.</param>
public sealed record DrainReport(
    string Queue, long Processed, long Exported, long Removed, long StillActive, bool Emptied, string? ExportFile, TimeSpan Took);

/// <summary>
/// The rollback drain: unlike BullMQ's <c>Queue.drain()</c>, which deletes waiting jobs, it loses nothing. It stops
/// new jobs (producers of this client get <see cref="QueueDrainingException"/>), lets workers finish until
/// waiting + active reach zero or the deadline passes, then exports whatever is left (waiting, prioritized, delayed,
/// failed) to a JSON-lines file, and only after the file is on disk removes exactly the exported jobs.
/// </summary>
public sealed class QueueDrain(QueueConnection connection, TimeProvider? time = null)
{
    private const string DrainingField = "sandbox:draining";

    /// <summary>Set while the queue is paused by a drain rather than by someone else; outlives a drainer that dies.</summary>
    private const string PausedByDrainField = "sandbox:drain-paused";

    /// <summary>
    /// How long a drain's mark outlives its last renewal: a drainer that dies (a killed stub mid-rollback) stops
    /// refusing new jobs after this, instead of for ever.
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ActiveSettle = TimeSpan.FromSeconds(5);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Drains <paramref name="queue"/>; the export goes to <paramref name="exportFile"/> (created, or appended to).</summary>
    public async Task<DrainReport> DrainAsync(string queue, TimeSpan deadline, string exportFile, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exportFile);
        var operations = new QueueOperations(connection, queue, _time);
        var keys = operations.Keys;
        var db = await connection.DatabaseAsync();
        var clock = Stopwatch.StartNew();

        await RenewLeaseAsync(db, keys);
        using var draining = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewals = Task.CompletedTask;
        // A queue a dead drainer paused is not "paused by someone": this drain resumes it when it ends.
        var wasPaused = await operations.IsPausedAsync() && !await db.HashExistsAsync(keys.Meta, PausedByDrainField);
        try
        {
            var pendingAtStart = Pending(await operations.GetJobCountsAsync());
            renewals = RenewWhileDrainingAsync(db, keys, draining.Token);
            var emptied = await WaitUntilEmptyAsync(operations, deadline, ct);

            // Nothing may be taken between export and removal: pause, then give in-flight jobs a moment to finish.
            if (!wasPaused)
            {
                await db.HashSetAsync(keys.Meta, PausedByDrainField, 1);
            }

            await operations.PauseAsync();
            var counts = await WaitForActiveToSettleAsync(operations, ct);

            var leftovers = await CollectAsync(db, keys);
            string? file = null;
            IReadOnlyList<string> removed = [];
            if (leftovers.Count > 0)
            {
                file = Path.GetFullPath(exportFile);
                await ExportAsync(file, keys.Name, leftovers, ct);
                removed = await RemoveAsync(db, keys, leftovers.Select(l => l.Id));
            }

            var after = await operations.GetJobCountsAsync();
            var processed = pendingAtStart - Pending(after) - removed.Count;
            return new DrainReport(
                keys.Name, Math.Max(0, processed), leftovers.Count, removed.Count, counts[JobStates.Active], emptied, file, clock.Elapsed);
        }
        finally
        {
            await draining.CancelAsync();
            await renewals.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!wasPaused)
            {
                await operations.ResumeAsync();
            }

            await db.HashDeleteAsync(keys.Meta, [DrainingField, PausedByDrainField]);
        }
    }

    private Task<bool> RenewLeaseAsync(IDatabase db, QueueKeys keys) =>
        db.HashSetAsync(keys.Meta, DrainingField, (_time.GetUtcNow() + Lease).ToUnixTimeMilliseconds());

    private async Task RenewWhileDrainingAsync(IDatabase db, QueueKeys keys, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RenewEvery, _time, ct);
                await RenewLeaseAsync(db, keys);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // Redis away for a moment: try again at the next renewal; if the drain fails on it, the lease passes.
            }
            catch (OperationCanceledException)
            {
                // The drain ended; its finally removes the mark.
            }
        }
    }

    /// <summary>True while a drain of <paramref name="queue"/> is refusing new jobs: its lease has not passed.</summary>
    public async Task<bool> IsDrainingAsync(string queue) =>
        (long?)await (await connection.DatabaseAsync()).HashGetAsync(new QueueKeys(queue).Meta, DrainingField) is { } lease
        && lease > _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static long Pending(IReadOnlyDictionary<string, long> counts) =>
        counts[JobStates.Waiting] + counts[JobStates.Active] + counts[JobStates.Prioritized] + counts[JobStates.Delayed];

    private async Task<bool> WaitUntilEmptyAsync(QueueOperations operations, TimeSpan deadline, CancellationToken ct)
    {
        var until = _time.GetUtcNow() + deadline;
        while (true)
        {
            var counts = await operations.GetJobCountsAsync();
            if (counts[JobStates.Waiting] + counts[JobStates.Prioritized] + counts[JobStates.Active] == 0)
            {
                return true;
            }

            if (_time.GetUtcNow() >= until)
            {
                return false;
            }

            await Task.Delay(PollEvery, _time, ct);
        }
    }

    private async Task<IReadOnlyDictionary<string, long>> WaitForActiveToSettleAsync(QueueOperations operations, CancellationToken ct)
    {
        var until = _time.GetUtcNow() + ActiveSettle;
        while (true)
        {
            var counts = await operations.GetJobCountsAsync();
            if (counts[JobStates.Active] == 0 || _time.GetUtcNow() >= until)
            {
                return counts;
            }

            await Task.Delay(PollEvery, _time, ct);
        }
    }

    private sealed record Leftover(string Id, string State, HashEntry[] Fields);

    private static async Task<List<Leftover>> CollectAsync(IDatabase db, QueueKeys keys)
    {
        var ids = new List<(string Id, string State)>();
        ids.AddRange((await db.ListRangeAsync(keys.Wait)).Reverse().Select(v => ((string)v!, JobStates.Waiting)));
        ids.AddRange((await db.SortedSetRangeByRankAsync(keys.Prioritized)).Select(v => ((string)v!, JobStates.Prioritized)));
        ids.AddRange((await db.SortedSetRangeByRankAsync(keys.Delayed)).Select(v => ((string)v!, JobStates.Delayed)));
        ids.AddRange((await db.SortedSetRangeByRankAsync(keys.Failed)).Select(v => ((string)v!, JobStates.Failed)));

        var leftovers = new List<Leftover>(ids.Count);
        foreach (var (id, state) in ids)
        {
            leftovers.Add(new Leftover(id, state, await db.HashGetAllAsync(keys.Job(id))));
        }

        return leftovers;
    }

    private static Task ExportAsync(string file, string queue, List<Leftover> leftovers, CancellationToken ct) =>
        AppendExportAsync(file, leftovers.Select(leftover =>
        {
            var fields = leftover.Fields.ToDictionary(f => (string)f.Name!, f => (string)f.Value!);
            return new JsonObject
            {
                ["queue"] = queue,
                ["id"] = leftover.Id,
                ["state"] = leftover.State,
                ["name"] = fields.GetValueOrDefault("name"),
                ["data"] = AsJson(fields.GetValueOrDefault("data")),
                ["opts"] = AsJson(fields.GetValueOrDefault("opts")),
                ["timestamp"] = fields.TryGetValue("timestamp", out var ts) && long.TryParse(ts, out var ms) ? ms : null,
                ["attemptsMade"] = fields.TryGetValue("atm", out var atm) && int.TryParse(atm, out var made) ? made : 0,
                ["failedReason"] = fields.GetValueOrDefault("failedReason"),
            };
        }), ct);

    /// <summary>
    /// Appends <paramref name="lines"/> to a rollback export file (created, with its folder, when missing), one JSON
    /// object a line, and flushes them to disk before it returns: whatever is removed after an export is on disk first.
    /// </summary>
    public static async Task AppendExportAsync(string file, IEnumerable<JsonObject> lines, CancellationToken ct = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        await using var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.WriteThrough);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        foreach (var line in lines)
        {
            await writer.WriteLineAsync(line.ToJsonString().AsMemory(), ct);
        }

        await writer.FlushAsync(ct);
        stream.Flush(flushToDisk: true);
    }

    // Data that is not valid JSON is kept as text rather than dropped.
    private static JsonNode? AsJson(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static async Task<IReadOnlyList<string>> RemoveAsync(IDatabase db, QueueKeys keys, IEnumerable<string> ids)
    {
        var removed = new List<string>();
        foreach (var chunk in ids.Chunk(500))
        {
            removed.AddRange(await ScriptCalls.Remove(keys, chunk).RunAsync(db));
        }

        return removed;
    }
}
