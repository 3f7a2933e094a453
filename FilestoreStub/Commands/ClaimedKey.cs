using StackExchange.Redis;

namespace FilestoreStub.Commands;

/// <summary>A key this request holds until its answer settles it.</summary>
public sealed class ClaimedKey(IdempotencyStore store, RedisKey key, string fingerprint)
{
    /// <summary>The answer, set to keep itself for the key when the command ran and to free the key otherwise.</summary>
    public CommandAnswer SettledBy(CommandAnswer answer) => answer with
    {
        Settle = answer.Result is RanAnswer ran
            ? () => store.CompleteAsync(key, fingerprint, answer.Status, ran.Json)
            : ReleaseAsync,
    };

    public Task ReleaseAsync() => store.ReleaseAsync(key);
}
