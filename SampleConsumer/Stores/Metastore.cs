using System.Text.Json;
using SampleConsumer.Events;
using StackExchange.Redis;

namespace SampleConsumer.Stores;

/// <summary>What Metastore holds for a path: its current metadata, or a tombstone that remembers when it went.</summary>
public sealed record PathMetadata(string Path, long? Size, string? Sha256, long ModifiedAt, string EventId, long Sequence, bool Deleted, string? TraceId);

/// <summary>
/// Metastore: the current metadata of every path, per environment and service, in one Redis hash
/// (<c>metastore:&lt;env&gt;:&lt;service&gt;:files</c>, path -> JSON), with the applied event ids in a set beside it.
/// A delete or the source of a rename leaves a tombstone carrying its sequence, so an older event that arrives late
/// cannot bring the path back.
/// </summary>
public sealed class Metastore(IConnectionMultiplexer redis) : IConsumerStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString };

    // Parameters become KEYS (applied ids, files hash, totals hash) and ARGV (the event's fields) when it runs.
    private static readonly LuaScript Apply = LuaScript.Prepare("""
        if redis.call('SADD', @applied, @eventId) == 0 then return 'duplicate' end
        redis.call('HINCRBY', @totals, 'events', 1)
        local seq = tonumber(@sequence)
        local function read(path)
          local stored = redis.call('HGET', @files, path)
          if stored then return cjson.decode(stored) end
          return nil
        end
        local function write(path, size, sha, deleted)
          -- Sequence and time as text: cjson writes numbers with 14 digits, and a sequence has 16.
          local record = { path = path, modifiedAt = @occurredAt, eventId = @eventId, sequence = @sequence, deleted = deleted }
          if @traceId ~= '' then record.traceId = @traceId end
          if size ~= nil then record.size = size end
          if sha ~= nil then record.sha256 = sha end
          redis.call('HSET', @files, path, cjson.encode(record))
        end
        local function older(record) return record == nil or tonumber(record.sequence) < seq end
        local kind, path, previous = @kind, @path, @previousPath
        local size = tonumber(@size)
        local sha = @sha ~= '' and @sha or nil
        if kind == 'created' or kind == 'modified' or kind == 'seeded' then
          if older(read(path)) then write(path, size, sha, false) end
        elseif kind == 'deleted' then
          if older(read(path)) then write(path, nil, nil, true) end
        elseif kind == 'renamed' then
          local source = read(previous)
          if sha == nil and source ~= nil then sha = source.sha256 end
          if size == nil and source ~= nil then size = source.size end
          if older(source) then write(previous, nil, nil, true) end
          if older(read(path)) then write(path, size, sha, false) end
        end
        return 'applied'
        """);

    private static string Prefix(string env, string service) => $"metastore:{env}:{service}";

    public async Task<ApplyOutcome> ApplyAsync(ChangeEvent change, string? traceId)
    {
        var prefix = Prefix(change.Env, change.Service);
        var result = (string?)await Apply.EvaluateAsync(redis.GetDatabase(), new
        {
            applied = (RedisKey)$"{prefix}:applied",
            files = (RedisKey)$"{prefix}:files",
            totals = (RedisKey)$"{prefix}:totals",
            eventId = change.EventId,
            kind = change.Kind,
            path = change.Path,
            previousPath = change.PreviousPath ?? string.Empty,
            size = change.Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
            sha = change.Sha256 ?? string.Empty,
            traceId = traceId ?? string.Empty,
            occurredAt = change.OccurredAt.ToString(System.Globalization.CultureInfo.InvariantCulture),
            sequence = change.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        return result == "duplicate" ? ApplyOutcome.Duplicate : ApplyOutcome.Applied;
    }

    public async Task<IReadOnlyList<FileView>> FilesAsync(string env, string service) =>
        (await AllAsync(env, service)).Where(m => !m.Deleted).Select(m => new FileView(m.Path, m.Size, m.Sha256)).ToList();

    public async Task<object?> PathAsync(string env, string service, string path)
    {
        var stored = await redis.GetDatabase().HashGetAsync($"{Prefix(env, service)}:files", path);
        return stored.IsNull ? null : JsonSerializer.Deserialize<PathMetadata>(stored.ToString(), Json);
    }

    public async Task<ServiceTotals> TotalsAsync(string env, string service)
    {
        var files = (await AllAsync(env, service)).Where(m => !m.Deleted).ToList();
        var events = (long?)await redis.GetDatabase().HashGetAsync($"{Prefix(env, service)}:totals", "events") ?? 0;
        return new ServiceTotals(env, service, events, files.Count, files.Sum(f => f.Size ?? 0), events);
    }

    private async Task<List<PathMetadata>> AllAsync(string env, string service) =>
        (await redis.GetDatabase().HashGetAllAsync($"{Prefix(env, service)}:files"))
            .Select(e => JsonSerializer.Deserialize<PathMetadata>(e.Value.ToString(), Json)!)
            .ToList();
}
