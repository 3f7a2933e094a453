using System.Diagnostics.Metrics;
using System.Text.Json;
using StackExchange.Redis;

namespace FilestoreStub.Faults;

/// <summary>
/// The injected faults, kept in Redis (<c>filestore:faults</c>) so a drill survives a restart of the stub, with a copy
/// in memory for the command path. Each is visible as a gauge (<c>filestore_fault_*</c>) and logged when set or cleared.
/// </summary>
public sealed class FaultStore
{
    private static readonly RedisKey Key = "filestore:faults";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<FaultStore> _logger;
    private readonly Counter<long> _injected;

    public FaultStore(IConnectionMultiplexer redis, IMeterFactory meterFactory, ILogger<FaultStore> logger)
    {
        (_redis, _logger) = (redis, logger);
        var meter = meterFactory.Create(FilestoreTelemetry.MeterName);
        meter.CreateObservableGauge("filestore_fault_command_failure_ratio", () => Current.CommandFailureRate,
            description: "Share of commands the stub fails on purpose (a drill fault).");
        meter.CreateObservableGauge("filestore_fault_added_latency_seconds", () => Current.AddedLatencyMs / 1000.0,
            description: "Latency the stub adds to every command (a drill fault).");
        meter.CreateObservableGauge("filestore_fault_drift_storm_changes_per_second", ObserveStorm,
            description: "Out-of-band changes per second the drift storm writes under a root (a drill fault).");
        _injected = meter.CreateCounter<long>("filestore_faults_injected", description: "Times a drill fault changed a command: failed it or delayed it.");
    }

    public FaultSettings Current { get; private set; } = FaultSettings.None;

    public async Task LoadAsync()
    {
        var stored = await _redis.GetDatabase().StringGetAsync(Key);
        Current = stored.IsNull ? FaultSettings.None : JsonSerializer.Deserialize<FaultSettings>(stored.ToString(), Json) ?? FaultSettings.None;
        if (Current.Any)
        {
            FaultLog.Active(_logger, Describe(Current), "restored from Redis");
        }
    }

    /// <summary>Replaces every fault with <paramref name="settings"/>.</summary>
    public async Task SetAsync(FaultSettings settings, string by)
    {
        await _redis.GetDatabase().StringSetAsync(Key, JsonSerializer.Serialize(settings, Json));
        Current = settings;
        FaultLog.Active(_logger, Describe(settings), $"set by {by}");
    }

    public async Task ClearAsync(string by)
    {
        await _redis.GetDatabase().KeyDeleteAsync(Key);
        Current = FaultSettings.None;
        FaultLog.Cleared(_logger, by);
    }

    /// <summary>Whether this command is one the failure-rate fault fails; counted when it is.</summary>
    public bool ShouldFail()
    {
        var fail = Current.CommandFailureRate > 0 && Random.Shared.NextDouble() < Current.CommandFailureRate;
        if (fail)
        {
            _injected.Add(1, new KeyValuePair<string, object?>("fault", "command-failure"));
        }

        return fail;
    }

    /// <summary>Waits the added latency, if any; counted when it does.</summary>
    public async Task DelayAsync(CancellationToken ct)
    {
        if (Current.AddedLatencyMs > 0)
        {
            _injected.Add(1, new KeyValuePair<string, object?>("fault", "latency"));
            await Task.Delay(Current.AddedLatencyMs, ct);
        }
    }

    private IEnumerable<Measurement<int>> ObserveStorm() =>
        Current.DriftStorm is { } storm
            ? [new Measurement<int>(storm.ChangesPerSecond, new("env", storm.Env), new("service", storm.Service))]
            : [];

    private static string Describe(FaultSettings s) =>
        $"command failure rate {s.CommandFailureRate:0.###}, added latency {s.AddedLatencyMs} ms, drift storm "
        + (s.DriftStorm is { } storm ? $"{storm.ChangesPerSecond}/s in {storm.Env}/{storm.Service}" : "off");
}

internal static partial class FaultLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Drill faults active ({How}): {Faults}")]
    public static partial void Active(ILogger logger, string faults, string how);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drill faults cleared by {By}")]
    public static partial void Cleared(ILogger logger, string by);
}
