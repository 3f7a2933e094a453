using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FilestoreStub.Changes;
using FilestoreStub.Events;
using FilestoreStub.Roots;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FilestoreStub.Watchers;

/// <summary>
/// The drift watchers of every managed root. A watcher takes a baseline when it is enabled (existing files are not
/// drift; seeding publishes those), then compares full scans of the root: on every file-system notification (after a
/// short settle) and at least every <see cref="WatcherOptions.ScanInterval"/>, because notifications alone can miss
/// changes. Each difference is published as a drift event and counted. Whether a watcher is on lives in Redis.
/// Changes made by Filestore's own commands are announced first (<see cref="Expect"/>) and are not drift; during
/// shadow mode every drift is also compared with the shadow plan for its path (by the <see cref="IDriftObserver"/>).
/// </summary>
public sealed class DriftWatchers : BackgroundService, IExpectedChanges
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);
    private readonly ManagedRoots _roots;
    private readonly EventPublisher _publisher;
    private readonly IConnectionMultiplexer _redis;
    private readonly EventSequence _sequence;
    private readonly IDriftObserver _observer;
    private readonly TimeProvider _time;
    private readonly ILogger<DriftWatchers> _logger;
    private readonly TimeSpan _interval;
    private readonly ConcurrentDictionary<(string Env, string Service), Running> _running = new();
    private readonly Counter<long> _drift;
    private readonly SemaphoreSlim _changes = new(1, 1);

    public DriftWatchers(ManagedRoots roots, EventPublisher publisher, EventSequence sequence, IConnectionMultiplexer redis, IDriftObserver observer,
        TimeProvider time, IOptions<WatcherOptions> options, IMeterFactory meterFactory, ILogger<DriftWatchers> logger)
    {
        (_roots, _publisher, _sequence, _redis, _observer, _time, _logger, _interval) =
            (roots, publisher, sequence, redis, observer, time, logger, options.Value.ScanInterval);
        var meter = meterFactory.Create(FilestoreTelemetry.MeterName);
        _drift = meter.CreateCounter<long>("filestore_drift_detected", description: "Out-of-band changes found under managed roots.");
        meter.CreateObservableGauge("filestore_watcher_enabled", ObserveEnabled, description: "1 while the drift watcher of the root is on.");
    }

    private static RedisKey EnabledKey(string env, string service) => $"filestore:watcher:{env}:{service}";

    public bool IsRunning(string env, string service) => _running.ContainsKey((env, service));

    public void Expect(string env, string service, IReadOnlyList<ExpectedChange> changes)
    {
        if (_running.TryGetValue((env, service), out var running))
        {
            running.Expect(changes);
        }
    }

    public void Withdraw(string env, string service, IReadOnlyList<ExpectedChange> changes)
    {
        if (_running.TryGetValue((env, service), out var running))
        {
            running.Withdraw(changes);
        }
    }

    /// <summary>Turns the watcher on or off, persistently; turning it on takes a new baseline.</summary>
    public async Task SetEnabledAsync(string env, string service, bool enabled)
    {
        await _changes.WaitAsync();
        try
        {
            await _redis.GetDatabase().StringSetAsync(EnabledKey(env, service), enabled ? "1" : "0");
            if (enabled)
            {
                Start(env, service);
            }
            else if (_running.TryRemove((env, service), out var running))
            {
                await running.DisposeAsync();
            }
        }
        finally
        {
            _changes.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var env in Environments.All)
        {
            foreach (var service in _roots.Services)
            {
                if ((string?)await _redis.GetDatabase().StringGetAsync(EnabledKey(env, service)) == "1")
                {
                    Start(env, service);
                }
            }
        }

        await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var running in _running.Values)
        {
            await running.DisposeAsync();
        }
    }

    private void Start(string env, string service)
    {
        if (_running.ContainsKey((env, service)))
        {
            return;
        }

        var root = Directory.CreateDirectory(_roots.RootOf(env, service)).FullName;
        var running = new Running(env, service, root, this);
        _running[(env, service)] = running;
        WatcherLog.Started(_logger, env, service, root);
    }

    private IEnumerable<Measurement<int>> ObserveEnabled() =>
        from env in Environments.All
        from service in _roots.Services
        select new Measurement<int>(IsRunning(env, service) ? 1 : 0,
            new KeyValuePair<string, object?>("env", env), new KeyValuePair<string, object?>("service", service));

    // All drift of one scan shares the number taken before the scan read the disk: they are of different paths, and a
    // command that ran during the scan has a higher number, so its event wins over what the scan saw before it.
    private async Task PublishAsync(string env, string service, Drift drift, long order)
    {
        // The id comes from what was seen, so a scan that retries after a failed publish cannot publish twice.
        var id = FilestoreEvent.DerivedId("drift", env, service, drift.Kind, drift.Path, drift.PreviousPath, drift.State?.Sha256,
            drift.State?.ModifiedUtc.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _publisher.PublishAsync(new FilestoreEvent(
            id, env, service, drift.Path, drift.Kind, EventSources.Drift, _time.GetUtcNow().ToUnixTimeMilliseconds(), id, order,
            Size: drift.State?.Size, Sha256: drift.State?.Sha256, PreviousPath: drift.PreviousPath));
        _drift.Add(1, new("env", env), new("service", service), new("kind", drift.Kind));
        WatcherLog.Drift(_logger, env, service, drift.Kind, drift.Path, drift.PreviousPath ?? string.Empty, id);
        await _observer.ObserveAsync(env, service, drift);
    }

    /// <summary>One root being watched: a notification source, a scan loop and the last snapshot.</summary>
    private sealed class Running : IAsyncDisposable
    {
        private readonly DriftWatchers _owner;
        private readonly string _env;
        private readonly string _service;
        private readonly string _root;
        private readonly FileSystemWatcher _notifications;
        private readonly SemaphoreSlim _nudge = new(0);
        private readonly Dictionary<string, List<(string? Sha256, long Until)>> _expected = new(StringComparer.Ordinal);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Running(string env, string service, string root, DriftWatchers owner)
        {
            (_env, _service, _root, _owner) = (env, service, root, owner);
            var baseline = TreeSnapshot.Scan(root);
            _notifications = new FileSystemWatcher(root) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size };
            _notifications.Created += (_, _) => Nudge();
            _notifications.Changed += (_, _) => Nudge();
            _notifications.Deleted += (_, _) => Nudge();
            _notifications.Renamed += (_, _) => Nudge();
            _notifications.Error += (_, _) => Nudge();
            _notifications.EnableRaisingEvents = true;
            _loop = Task.Run(() => LoopAsync(baseline, _stop.Token));
        }

        public async ValueTask DisposeAsync()
        {
            _notifications.EnableRaisingEvents = false;
            _notifications.Dispose();
            await _stop.CancelAsync();
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
            _stop.Dispose();
            _nudge.Dispose();
        }

        // Long enough for several scans to see the change; short enough that a forgotten expectation cannot hide drift for long.
        private long ExpectationLifetime => Math.Max(60_000, (long)_owner._interval.TotalMilliseconds * 10);

        public void Expect(IReadOnlyList<ExpectedChange> changes)
        {
            var until = Environment.TickCount64 + ExpectationLifetime;
            lock (_expected)
            {
                foreach (var change in changes)
                {
                    // A path rewritten faster than scans run has several states announced; a scan may see any of them.
                    (_expected.TryGetValue(change.Path, out var states) ? states : _expected[change.Path] = []).Add((change.Sha256, until));
                }
            }
        }

        public void Withdraw(IReadOnlyList<ExpectedChange> changes)
        {
            lock (_expected)
            {
                foreach (var change in changes)
                {
                    if (_expected.TryGetValue(change.Path, out var states))
                    {
                        states.Remove(states.FindLast(s => s.Sha256 == change.Sha256));
                    }
                }
            }
        }

        // True when the drift is exactly a change Filestore announced.
        private bool IsAnnounced(Drift drift)
        {
            bool Announced(string path, string? sha) => _expected.TryGetValue(path, out var states) && states.Exists(s => s.Sha256 == sha);
            lock (_expected)
            {
                return drift.Kind switch
                {
                    EventKinds.Created or EventKinds.Modified => Announced(drift.Path, drift.State?.Sha256),
                    EventKinds.Deleted => Announced(drift.Path, null),
                    EventKinds.Renamed => Announced(drift.Path, drift.State?.Sha256) && Announced(drift.PreviousPath!, null),
                    _ => false,
                };
            }
        }

        // Once the scan that saw a state is the new baseline, that state and the ones announced before it are used up.
        private void UseUp(IEnumerable<Drift> own)
        {
            void Seen(string path, string? sha)
            {
                if (_expected.TryGetValue(path, out var states))
                {
                    states.RemoveRange(0, states.FindIndex(s => s.Sha256 == sha) + 1);
                }
            }

            lock (_expected)
            {
                foreach (var drift in own)
                {
                    Seen(drift.Path, drift.Kind == EventKinds.Deleted ? null : drift.State?.Sha256);
                    if (drift.PreviousPath is not null)
                    {
                        Seen(drift.PreviousPath, null);
                    }
                }
            }
        }

        private void ForgetStaleExpectations()
        {
            var now = Environment.TickCount64;
            lock (_expected)
            {
                foreach (var path in _expected.Keys.ToList())
                {
                    _expected[path].RemoveAll(s => s.Until < now);
                    if (_expected[path].Count == 0)
                    {
                        _expected.Remove(path);
                    }
                }
            }
        }

        private void Nudge()
        {
            if (_nudge.CurrentCount == 0)
            {
                _nudge.Release();
            }
        }

        private async Task LoopAsync(TreeSnapshot current, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (await _nudge.WaitAsync(_owner._interval, stop))
                    {
                        await Task.Delay(Settle, stop);
                    }

                    var order = _owner._sequence.Next();
                    var next = TreeSnapshot.Scan(_root, current);
                    var drifts = current.Compare(next);
                    var own = drifts.Where(IsAnnounced).ToList();
                    foreach (var drift in drifts.Except(own))
                    {
                        await _owner.PublishAsync(_env, _service, drift, order);
                    }

                    UseUp(own);
                    ForgetStaleExpectations();

                    current = next;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    // Redis away, a file gone mid-scan, a connection torn down mid-call: keep the old snapshot, and the
                    // same drift is found, with the same event ids, on the next scan.
                    WatcherLog.ScanFailed(_owner._logger, _env, _service, e.Message);
                }
            }
        }
    }
}

internal static partial class WatcherLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Drift watcher of {Service} in {Env} started on {Root}")]
    public static partial void Started(ILogger logger, string env, string service, string root);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drift in {Env}/{Service}: {Kind} {Path} {PreviousPath} (EventId {EventId})")]
    public static partial void Drift(ILogger logger, string env, string service, string kind, string path, string previousPath, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift watcher of {Service} in {Env} could not publish; retrying on the next scan: {Error}")]
    public static partial void ScanFailed(ILogger logger, string env, string service, string error);
}
