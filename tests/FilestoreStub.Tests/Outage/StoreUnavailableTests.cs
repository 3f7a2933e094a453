using BullMq;
using Microsoft.AspNetCore.Http;
using StackExchange.Redis;

namespace FilestoreStub.Tests.Outage;

/// <summary>
/// Which failures mean "Redis is out of reach" (a 503 the caller retries, the outbox for an event) and which are bugs
/// (a 500). The Redis client cancels calls still waiting when their connection breaks, with no token of ours involved:
/// seen under load as 500s, and as a command written to disk but answered 503.
/// </summary>
public sealed class StoreUnavailableTests
{
    public static TheoryData<string, Exception> Unavailable => new()
    {
        { "connection", new RedisConnectionException(ConnectionFailureType.SocketClosed, "Connection reset by peer") },
        { "timeout", new RedisTimeoutException("Timeout awaiting response", CommandStatus.Sent) },
        { "queue", new QueueUnavailableException("Redis is unreachable", new InvalidOperationException()) },
        { "cancelled by the redis client", CancelledByNobody() },
        { "wrapped", new InvalidOperationException("outer", new RedisTimeoutException("Timeout", CommandStatus.Sent)) },
    };

    public static TheoryData<string, Exception> Bugs => new()
    {
        { "invalid operation", new InvalidOperationException("a bug") },
        { "cancelled by its caller", CancelledBy(new CancellationToken(canceled: true)) },
        { "server error", new RedisServerException("ERR wrong number of arguments") },
    };

    [Theory]
    [MemberData(nameof(Unavailable))]
    public void Redis_out_of_reach_is_a_503(string what, Exception failure)
    {
        Assert.True(Problems.IsStoreUnavailable(failure), what);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, Problems.StatusFor(failure));
    }

    [Theory]
    [MemberData(nameof(Bugs))]
    public void Anything_else_is_a_500(string what, Exception failure)
    {
        Assert.False(Problems.IsStoreUnavailable(failure), what);
        Assert.Equal(StatusCodes.Status500InternalServerError, Problems.StatusFor(failure));
    }

    // As the Redis client does it: the task of a pending call cancelled without a token.
    private static Exception CancelledByNobody()
    {
        var pending = new TaskCompletionSource();
        pending.SetCanceled();
        return Record.Exception(() => pending.Task.GetAwaiter().GetResult())!;
    }

    private static Exception CancelledBy(CancellationToken token) =>
        Record.Exception(() => Task.FromCanceled(token).GetAwaiter().GetResult())!;
}
