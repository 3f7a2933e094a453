using StackExchange.Redis;

namespace BullMq;

/// <summary>
/// The Redis connections of the client: one shared multiplexer for commands, and one dedicated connection per worker
/// for the blocking wait on the queue marker (a blocking command would stall every other caller of a shared one).
/// </summary>
public sealed class QueueConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions _options;
    private readonly Lazy<Task<ConnectionMultiplexer>> _commands;

    private QueueConnection(ConfigurationOptions options)
    {
        _options = options;
        _commands = new Lazy<Task<ConnectionMultiplexer>>(() => ConnectAsync(_options));
    }

    /// <summary>Creates a connection from a StackExchange.Redis configuration string (Aspire's <c>ConnectionStrings:redis</c>).</summary>
    public static QueueConnection Create(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var options = ConfigurationOptions.Parse(configuration);
        // Reconnect in the background rather than failing construction while Redis is briefly away.
        options.AbortOnConnectFail = false;
        // While disconnected, commands fail at once instead of queueing silently: a producer must know its job was not added.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
        // The .NET thread pool rather than the client's dedicated one: on small machines (2 cores) its spinning
        // threads cost more than they save.
        options.SocketManager = SocketManager.ThreadPool;
        return new QueueConnection(options);
    }

    internal async Task<IDatabase> DatabaseAsync() => (await _commands.Value).GetDatabase();

    internal async Task<ConnectionMultiplexer> MultiplexerAsync() => await _commands.Value;

    /// <summary>A new connection that only this caller uses; it may block on Redis for up to <paramref name="blockFor"/>.</summary>
    internal Task<ConnectionMultiplexer> ConnectBlockingAsync(TimeSpan blockFor)
    {
        var options = _options.Clone();
        options.AsyncTimeout = (int)Math.Max(options.AsyncTimeout, (blockFor + TimeSpan.FromSeconds(5)).TotalMilliseconds);
        options.SyncTimeout = options.AsyncTimeout;
        return ConnectAsync(options);
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions options) => ConnectionMultiplexer.ConnectAsync(options);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_commands.IsValueCreated)
        {
            await (await _commands.Value).DisposeAsync();
        }
    }
}

/// <summary>Redis could not be reached, so the operation did not happen (a job was not added, a count not read).</summary>
public sealed class QueueUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>The queue is being drained for a rollback and accepts no new jobs.</summary>
public sealed class QueueDrainingException(string queue)
    : Exception($"Queue '{queue}' is being drained and accepts no new jobs.")
{
    /// <summary>The queue that refused the job.</summary>
    public string Queue { get; } = queue;
}
