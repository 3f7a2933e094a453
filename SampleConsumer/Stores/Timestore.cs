using System.Text.Json;
using SampleConsumer.Events;
using StackExchange.Redis;

namespace SampleConsumer.Stores;

/// <summary>One version of a path in Timestore's history.</summary>
public sealed record PathVersion(
    string EventId, string Kind, string Path, string? PreviousPath, long? Size, string? Sha256, long OccurredAt, long Sequence, string Source,
    string? TraceId);

/// <summary>
/// Timestore: the ordered version history of every path, one entry per change, in a sorted set per path scored by
/// the event's sequence (<c>timestore:&lt;env&gt;:&lt;service&gt;:history:&lt;path&gt;</c>), so late events take their
/// place in order. A rename is an entry in the history of both paths. The applied event ids are kept beside it.
/// </summary>
public sealed class Timestore(IConnectionMultiplexer redis) : IConsumerStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Parameters become KEYS (applied ids, the two histories, paths set, totals hash) and ARGV when it runs.
    private static readonly LuaScript Apply = LuaScript.Prepare("""
        if redis.call('SADD', @applied, @eventId) == 0 then return 'duplicate' end
        redis.call('HINCRBY', @totals, 'events', 1)
        redis.call('ZADD', @history, @sequence, @entry)
        redis.call('SADD', @paths, @path)
        if @previousPath ~= '' then
          redis.call('ZADD', @previousHistory, @sequence, @entry)
          redis.call('SADD', @paths, @previousPath)
        end
        return 'applied'
        """);

    private static string Prefix(string env, string service) => $"timestore:{env}:{service}";

    private static RedisKey History(string env, string service, string path) => $"{Prefix(env, service)}:history:{path}";

    public async Task<ApplyOutcome> ApplyAsync(ChangeEvent change, string? traceId)
    {
        var prefix = Prefix(change.Env, change.Service);
        var entry = new PathVersion(change.EventId, change.Kind, change.Path, change.PreviousPath, change.Size, change.Sha256,
            change.OccurredAt, change.Sequence, change.Source, traceId);
        var result = (string?)await Apply.EvaluateAsync(redis.GetDatabase(), new
        {
            applied = (RedisKey)$"{prefix}:applied",
            history = History(change.Env, change.Service, change.Path),
            previousHistory = History(change.Env, change.Service, change.PreviousPath ?? change.Path),
            paths = (RedisKey)$"{prefix}:paths",
            totals = (RedisKey)$"{prefix}:totals",
            eventId = change.EventId,
            entry = JsonSerializer.Serialize(entry, Json),
            sequence = change.Sequence,
            path = change.Path,
            previousPath = change.PreviousPath ?? string.Empty,
        });
        return result == "duplicate" ? ApplyOutcome.Duplicate : ApplyOutcome.Applied;
    }

    public async Task<object?> PathAsync(string env, string service, string path)
    {
        var versions = await HistoryAsync(env, service, path);
        return versions.Count == 0 ? null : versions;
    }

    /// <summary>A path's versions, oldest first.</summary>
    public async Task<IReadOnlyList<PathVersion>> HistoryAsync(string env, string service, string path) =>
        (await redis.GetDatabase().SortedSetRangeByRankAsync(History(env, service, path)))
            .Select(v => JsonSerializer.Deserialize<PathVersion>(v.ToString(), Json)!)
            .ToList();

    /// <summary>The present files as the last version of each path says: the history replayed, not a second store.</summary>
    public async Task<IReadOnlyList<FileView>> FilesAsync(string env, string service)
    {
        var files = new List<FileView>();
        foreach (var path in await redis.GetDatabase().SetMembersAsync($"{Prefix(env, service)}:paths"))
        {
            var last = (await redis.GetDatabase().SortedSetRangeByRankAsync(History(env, service, path!), -1, -1)).SingleOrDefault();
            if (last.IsNull)
            {
                continue;
            }

            var version = JsonSerializer.Deserialize<PathVersion>(last.ToString(), Json)!;
            var present = version.Kind switch
            {
                "created" or "modified" or "seeded" => true,
                "renamed" => version.Path == (string)path!,
                _ => false,
            };
            if (present)
            {
                files.Add(new FileView(path!, version.Size, version.Sha256));
            }
        }

        return files;
    }

    public async Task<ServiceTotals> TotalsAsync(string env, string service)
    {
        var files = await FilesAsync(env, service);
        var db = redis.GetDatabase();
        var events = (long?)await db.HashGetAsync($"{Prefix(env, service)}:totals", "events") ?? 0;
        long versions = 0;
        foreach (var path in await db.SetMembersAsync($"{Prefix(env, service)}:paths"))
        {
            versions += await db.SortedSetLengthAsync(History(env, service, path!));
        }

        return new ServiceTotals(env, service, events, files.Count, files.Sum(f => f.Size ?? 0), versions);
    }
}
