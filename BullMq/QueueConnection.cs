using StackExchange.Redis;

namespace BullMq;

/// <summary>
/// The Redis connections of the client: one shared multiplexer for commands, and one dedicated connection per worker
/// for the blocking wait on the queue marker (a blocking command would stall every other caller of a shared one).
/// </summary>
public sealed class QueueConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions _options;
    private readonly Lazy<Task<ConnectionMultiplexer>>? _owned;
    private readonly IConnectionMultiplexer? _shared;

    private QueueConnection(ConfigurationOptions options, IConnectionMultiplexer? shared)
    {
        _options = options;
        _shared = shared;
        _owned = shared is null ? new Lazy<Task<ConnectionMultiplexer>>(() => ConnectAsync(_options)) : null;
    }

    /// <summary>
    /// The settings the client needs of a connection: it reconnects in the background rather than failing while Redis
    /// is briefly away, and while disconnected commands fail at once instead of queueing silently, so a producer knows
    /// its job was not added and a caller can answer "unavailable" instead of waiting.
    /// </summary>
    public static void Configure(ConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
        // The .NET thread pool rather than the client's dedicated one: on small machines (2 cores) its spinning
        // threads cost more than they save.
        options.SocketManager = SocketManager.ThreadPool;
    }

    /// <summary>
    /// Whether <paramref name="failure"/> means Redis is out of reach: no connection, no answer in time, or a call the
    /// Redis client cancelled by itself, which it does to calls still waiting when their connection breaks (no token of
    /// the caller was cancelled).
    /// </summary>
    public static bool IsLost(Exception failure) =>
        failure is RedisConnectionException or RedisTimeoutException or TaskCanceledException { CancellationToken.IsCancellationRequested: false };

    /// <summary>A connection of its own, from a StackExchange.Redis configuration string (Aspire's <c>ConnectionStrings:redis</c>).</summary>
    public static QueueConnection Create(string configuration) => new(Parse(configuration), shared: null);

    /// <summary>
    /// Commands over a connection the service already has (set up with <see cref="Configure"/>); the blocking waits
    /// of workers still get connections of their own, made from <paramref name="configuration"/>.
    /// </summary>
    public static QueueConnection Over(IConnectionMultiplexer shared, string configuration)
    {
        ArgumentNullException.ThrowIfNull(shared);
        return new(Parse(configuration), shared);
    }

    private static ConfigurationOptions Parse(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var options = ConfigurationOptions.Parse(configuration);
        Configure(options);
        return options;
    }

    internal async Task<IDatabase> DatabaseAsync() => _shared?.GetDatabase() ?? (await _owned!.Value).GetDatabase();

    /// <summary>
    /// A new connection that only this caller uses; it may block on Redis for up to <paramref name="blockFor"/>. It
    /// carries <paramref name="clientName"/> as its <c>CLIENT SETNAME</c>, and has no subscription connection: a
    /// multiplexer would otherwise open a second, equally named client, and BullMQ's <c>getWorkers()</c> would count
    /// the worker twice.
    /// </summary>
    internal Task<ConnectionMultiplexer> ConnectBlockingAsync(TimeSpan blockFor, string clientName)
    {
        var options = _options.Clone();
        options.AsyncTimeout = (int)Math.Max(options.AsyncTimeout, (blockFor + TimeSpan.FromSeconds(5)).TotalMilliseconds);
        options.SyncTimeout = options.AsyncTimeout;
        options.ClientName = clientName;
        options.CommandMap = BlockingOnly;
        return ConnectAsync(options);
    }

    private static readonly CommandMap BlockingOnly = CommandMap.Create(
        ["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"], available: false);

    private static Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions options) => ConnectionMultiplexer.ConnectAsync(options);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // A shared connection belongs to whoever made it.
        if (_owned is { IsValueCreated: true })
        {
            await (await _owned.Value).DisposeAsync();
        }
    }
}
