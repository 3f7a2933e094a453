using StackExchange.Redis;

namespace BullMq.Tests.Producer;

/// <summary>
/// What counts as Redis out of reach (a <see cref="QueueUnavailableException"/>, which callers retry or park in an
/// outbox): a lost connection, a timeout, or a call the Redis client cancelled by itself when its connection broke. A
/// cancellation the caller asked for, or an error Redis answered, is neither.
/// </summary>
public sealed class ConnectionLossTests
{
    [Fact]
    public void A_lost_connection_a_timeout_and_a_call_the_client_cancelled_by_itself_mean_redis_is_out_of_reach()
    {
        Assert.True(QueueConnection.IsLost(new RedisConnectionException(ConnectionFailureType.SocketClosed, "Connection reset by peer")));
        Assert.True(QueueConnection.IsLost(new RedisTimeoutException("Timeout awaiting response", CommandStatus.Sent)));

        var pending = new TaskCompletionSource<RedisResult>();
        pending.SetCanceled();
        Assert.True(QueueConnection.IsLost(Record.Exception(() => pending.Task.GetAwaiter().GetResult())!));
    }

    [Fact]
    public void A_cancellation_the_caller_asked_for_and_an_error_redis_answered_are_not()
    {
        var cancelledByCaller = Record.Exception(() => Task.FromCanceled(new CancellationToken(canceled: true)).GetAwaiter().GetResult())!;
        Assert.IsType<TaskCanceledException>(cancelledByCaller);
        Assert.False(QueueConnection.IsLost(cancelledByCaller));
        Assert.False(QueueConnection.IsLost(new RedisServerException("ERR unknown command")));
        Assert.False(QueueConnection.IsLost(new InvalidOperationException("a bug")));
    }
}
