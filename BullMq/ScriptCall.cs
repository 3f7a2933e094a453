using StackExchange.Redis;

namespace BullMq;

/// <summary>One run of a script: its KEYS and ARGV as <see cref="ScriptCalls"/> built them, and how to read its answer.</summary>
internal sealed class ScriptCall<TResult>(Script script, RedisKey[] keys, RedisValue[] args, Func<RedisResult, TResult> read)
{
    public Script Script { get; } = script;

    public RedisKey[] Keys { get; } = keys;

    public RedisValue[] Args { get; } = args;

    public Func<RedisResult, TResult> Read { get; } = read;

    public async Task<TResult> RunAsync(IDatabase db) => Read(await Script.RunAsync(db, Keys, Args));
}
