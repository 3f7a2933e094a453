using System.Diagnostics.Metrics;
using System.Text.Json;
using StackExchange.Redis;

namespace SampleConsumer.Faults;

/// <summary>The consumer stall of a drill: stop applying until a time, and/or wait before each event.</summary>
public sealed record StallSettings(DateTimeOffset? PausedUntil, int DelayMs)
{
    public static StallSettings None { get; } = new(null, 0);
}

/// <summary>
/// The stall fault of a role, in Redis (<c>consumer:&lt;role&gt;:stall</c>) so every instance of the role obeys it and a
/// restart keeps it; each instance rereads it every second. Visible as <c>consumer_fault_stalled</c> and
/// <c>consumer_fault_delay_seconds</c>, and logged when set or cleared.
/// </summary>
public sealed class Stall : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly ILogger<Stall> _logger;
    private readonly RedisKey _key;

    public Stall(IConnectionMultiplexer redis, TimeProvider time, Microsoft.Extensions.Options.IOptions<ConsumerOptions> options,
        IMeterFactory meterFactory, ILogger<Stall> logger)
    {
        (_redis, _time, _logger) = (redis, time, logger);
        var role = options.Value.RoleName;
        _key = $"consumer:{role}:stall";
        var meter = meterFactory.Create(Processing.ConsumerMetrics.MeterName);
        meter.CreateObservableGauge("consumer_fault_stalled", () => new Measurement<int>(IsPaused ? 1 : 0, new KeyValuePair<string, object?>("consumer", role)),
            description: "1 while a drill stall keeps this consumer from applying events.");
        meter.CreateObservableGauge("consumer_fault_delay_seconds", () => new Measurement<double>(Current.DelayMs / 1000.0, new KeyValuePair<string, object?>("consumer", role)),
            description: "Delay a drill adds before each event this consumer applies.");
    }

    // A reread that was already under way when this instance changed the stall must not put the old value back.
    private readonly Lock _gate = new();
    private long _localChanges;

    public StallSettings Current { get; private set; } = StallSettings.None;

    private bool IsPaused => Current.PausedUntil is { } until && until > _time.GetUtcNow();

    public async Task SetAsync(StallSettings settings)
    {
        await _redis.GetDatabase().StringSetAsync(_key, JsonSerializer.Serialize(settings, Json));
        Change(settings);
        StallLog.Set(_logger, settings.PausedUntil?.ToString("O") ?? "-", settings.DelayMs);
    }

    public async Task ClearAsync()
    {
        await _redis.GetDatabase().KeyDeleteAsync(_key);
        Change(StallSettings.None);
        StallLog.Cleared(_logger);
    }

    private void Change(StallSettings settings)
    {
        lock (_gate)
        {
            _localChanges++;
            Current = settings;
        }
    }

    /// <summary>Holds an event while the stall says so: until the pause ends, then the delay.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        while (IsPaused)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }

        if (Current.DelayMs > 0)
        {
            await Task.Delay(Current.DelayMs, ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                long changesBefore;
                lock (_gate)
                {
                    changesBefore = _localChanges;
                }

                var stored = await _redis.GetDatabase().StringGetAsync(_key);
                var read = stored.IsNull ? StallSettings.None : JsonSerializer.Deserialize<StallSettings>(stored.ToString(), Json) ?? StallSettings.None;
                lock (_gate)
                {
                    // Seen: a drill cleared here while the reread was in flight, and the reread set the delay again.
                    if (_localChanges == changesBefore)
                    {
                        Current = read;
                    }
                }
            }
            catch (Exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Redis away (a RedisConnectionException, a RedisTimeoutException, or a TaskCanceledException from a
                // connection torn down mid-call): keep what was last read; the health check reports the outage. Thrown
                // out of here, it would stop the consumer's host.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}

internal static partial class StallLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Drill stall set: paused until {PausedUntil}, {DelayMs} ms before each event")]
    public static partial void Set(ILogger logger, string pausedUntil, int delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drill stall cleared")]
    public static partial void Cleared(ILogger logger);
}
