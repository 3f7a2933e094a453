using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace BullMq;

/// <summary>How a <see cref="QueueWorker"/> runs. The defaults are BullMQ's.</summary>
public sealed record WorkerOptions
{
    /// <summary>Jobs processed at once.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>How long a job's lock lasts; the worker renews it at half this while the handler runs.</summary>
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the queue is checked for jobs whose worker died.</summary>
    public TimeSpan StalledInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a job may stall before it fails instead of running again.</summary>
    public int MaxStalledCount { get; init; } = 1;

    /// <summary>Longest single blocking wait on the marker before the worker looks again.</summary>
    public TimeSpan BlockTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest pause between reconnection attempts while Redis is away.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The worker's name, as BullMQ's <c>name</c> option: its blocking connection is named
    /// <c>bull:&lt;base64 queue&gt;:w:&lt;name&gt;</c>, so <c>getWorkers()</c> and bull-board show it. Without one the
    /// connection is named <c>bull:&lt;base64 queue&gt;</c>, and the worker is listed unnamed.
    /// </summary>
    public string? Name { get; init; }

    internal void Validate()
    {
        // CLIENT SETNAME refuses spaces, newlines and anything outside printable ASCII.
        if (Name is not null && (Name.Length == 0 || Name.Any(c => c is < '!' or > '~')))
        {
            throw new ArgumentException($"Worker name '{Name}' is invalid: use printable ASCII without spaces.", nameof(Name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Concurrency, 1, nameof(Concurrency));
        ArgumentOutOfRangeException.ThrowIfLessThan(LockDuration, TimeSpan.FromMilliseconds(100), nameof(LockDuration));
        ArgumentOutOfRangeException.ThrowIfLessThan(StalledInterval, TimeSpan.FromMilliseconds(100), nameof(StalledInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxStalledCount, nameof(MaxStalledCount));
    }
}

/// <summary>Thrown by a handler for a failure that retrying cannot fix: the job fails at once, whatever attempts remain.</summary>
public sealed class UnrecoverableJobException(string message) : Exception(message);

/// <summary>
/// Processes jobs of one queue with a handler: waits on the queue marker (no polling), holds each job under a lock it
/// renews, completes or fails it, retries with the job's backoff, and recovers jobs of workers that died.
/// The handler's result is stored as the job's return value (JSON). A handler exception never stops the worker.
/// </summary>
public sealed class QueueWorker : IAsyncDisposable
{
    private const int StacktraceLimit = 10;

    private readonly QueueConnection _connection;
    private readonly QueueKeys _keys;
    private readonly Func<Job, CancellationToken, Task<object?>> _handler;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _token = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abortHandlers = new();
    private Task? _loop;
    private Task? _maintenance;
    private ConnectionMultiplexer? _blocking;
    private long _processed;
    private long _failed;

    /// <summary>Creates a worker; call <see cref="Start"/> to begin.</summary>
    public QueueWorker(
        QueueConnection connection,
        string queue,
        Func<Job, CancellationToken, Task<object?>> handler,
        WorkerOptions? options = null,
        TimeProvider? time = null,
        ILogger? logger = null)
    {
        _connection = connection;
        _keys = new QueueKeys(queue);
        _handler = handler;
        _options = options ?? new WorkerOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _slots = new SemaphoreSlim(_options.Concurrency);
    }

    /// <summary>The queue this worker takes jobs from.</summary>
    public string Queue => _keys.Name;

    /// <summary>Jobs whose handler returned (completed).</summary>
    public long Completed => Interlocked.Read(ref _processed);

    /// <summary>Attempts that ended in failure (retried or final).</summary>
    public long FailedAttempts => Interlocked.Read(ref _failed);

    /// <summary>Begins taking jobs in the background.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The worker is already running.");
        }

        _loop = Task.Run(() => RunAsync(_stopping.Token));
        _maintenance = Task.Run(() => MaintainAsync(_stopping.Token));
    }

    /// <summary>
    /// Stops taking jobs and lets the running ones finish. Handlers still running at <paramref name="deadline"/> are
    /// cancelled; their jobs stay active under a lock that expires, and the stall check returns them to the queue.
    /// </summary>
    public async Task StopAsync(TimeSpan deadline)
    {
        if (_loop is null || _stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_blocking is not null)
        {
            // Ends a blocking wait on the marker at once instead of at its timeout.
            await _blocking.CloseAsync(allowCommandsToComplete: false);
        }

        try
        {
            await Task.WhenAll(_loop, _maintenance!).WaitAsync(deadline);
        }
        catch (TimeoutException)
        {
            // The loops only wait on Redis; a stuck call must not hold the stop beyond its deadline.
        }

        if (_blocking is not null)
        {
            // A stopped worker leaves getWorkers() at once, even when the loop connected while the stop began.
            await _blocking.CloseAsync(allowCommandsToComplete: false);
        }

        if (!await DrainSlotsAsync(deadline))
        {
            await _abortHandlers.CancelAsync();
            await DrainSlotsAsync(TimeSpan.FromSeconds(5));
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        if (_blocking is not null)
        {
            await _blocking.DisposeAsync();
        }

        _stopping.Dispose();
        _abortHandlers.Dispose();
        _slots.Dispose();
    }

    private async Task<bool> DrainSlotsAsync(TimeSpan deadline)
    {
        var taken = 0;
        try
        {
            using var timeout = new CancellationTokenSource(deadline);
            for (; taken < _options.Concurrency; taken++)
            {
                await _slots.WaitAsync(timeout.Token);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            if (taken > 0)
            {
                _slots.Release(taken);
            }
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Connected before the first job, not at the first idle wait: its name is what lists this worker in
                // BullMQ's getWorkers(), busy or idle, until it stops.
                _blocking ??= await _connection.ConnectBlockingAsync(_options.BlockTimeout, _keys.WorkerClientName(_options.Name));
                await _slots.WaitAsync(stopping);
                var (job, nextDueAt) = await FetchAsync();
                if (job is not null)
                {
                    _ = Task.Run(() => ProcessAsync(job), CancellationToken.None);
                }
                else
                {
                    _slots.Release();
                    await WaitForWorkAsync(nextDueAt, stopping);
                }

                failures = 0;
            }
            catch (Exception e) when (stopping.IsCancellationRequested)
            {
                // Stopping closes the blocking connection under a pending wait; whatever that throws ends the loop.
                ReleaseIfHeld(e);
                break;
            }
            catch (Exception e)
            {
                // The loop must outlive any Redis trouble: back off and try again.
                ReleaseIfHeld(e);

                failures++;
                var delay = ReconnectDelay(failures);
                WorkerLog.RedisUnavailable(_logger, _keys.Name, delay.TotalMilliseconds, e.Message);
                await Delay(delay, stopping);
            }
        }
    }

    private const string SlotHeld = "bullmq.slot-held";

    // A failure inside FetchAsync happens while the slot is held; one inside WaitForWorkAsync after it was released.
    private void ReleaseIfHeld(Exception e)
    {
        if (e.Data.Contains(SlotHeld))
        {
            _slots.Release();
        }
    }

    private TimeSpan ReconnectDelay(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(_options.MaxReconnectDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures, 10))));

    private async Task<(Job? Job, long NextDueAt)> FetchAsync()
    {
        try
        {
            var db = await _connection.DatabaseAsync();
            return await ScriptCalls.Fetch(_keys, Now(), _token, _options.LockDuration).RunAsync(db);
        }
        catch (Exception e)
        {
            e.Data[SlotHeld] = true;
            throw;
        }
    }

    private async Task WaitForWorkAsync(long nextDueAt, CancellationToken stopping)
    {
        var wait = _options.BlockTimeout;
        if (nextDueAt > 0)
        {
            var untilDue = TimeSpan.FromMilliseconds(nextDueAt - Now());
            if (untilDue <= TimeSpan.Zero)
            {
                return;
            }

            wait = untilDue < wait ? untilDue : wait;
        }

        stopping.ThrowIfCancellationRequested();
        // BZPOPMIN on the marker returns as soon as a producer, a resume or a finished job signals work.
        var seconds = Math.Max(0.01, wait.TotalSeconds).ToString("0.###", CultureInfo.InvariantCulture);
        await _blocking!.GetDatabase().ExecuteAsync("BZPOPMIN", _keys.Marker, seconds);
    }

    // Runs jobs in one slot: each finish also takes the next job (one round trip per job, as BullMQ's fetchNext),
    // so the slot goes back to the fetch loop only when the queue has nothing ready.
    private async Task ProcessAsync(Job first)
    {
        try
        {
            for (Job? job = first; job is not null;)
            {
                job = await ProcessOneAsync(job);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<Job?> ProcessOneAsync(Job job)
    {
        using var jobCancellation = CancellationTokenSource.CreateLinkedTokenSource(_abortHandlers.Token);
        _running[job.Id] = jobCancellation;
        using var activity = QueueTelemetry.StartProcessing(job);
        try
        {
            if (job.DeferredFailure is { } deferred)
            {
                return await FinishAsync(job, "failed", deferred, stack: null);
            }

            if (!IsJson(job.DataJson, out var parseError))
            {
                return await FinishAsync(job, "failed", $"Job data is not valid JSON: {parseError}", stack: null);
            }

            object? result;
            try
            {
                result = await _handler(job, jobCancellation.Token);
            }
            catch (OperationCanceledException) when (_abortHandlers.IsCancellationRequested)
            {
                // Cut off by the stop deadline, which is no failure of the job: it stays active under a lock that
                // expires, and the stall check gives it back to the queue.
                WorkerLog.FinishFailed(_logger, _keys.Name, job.Id, "the worker stopped before the handler finished");
                return null;
            }
            catch (Exception e)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                return await FailAttemptAsync(job, e);
            }

            Interlocked.Increment(ref _processed);
            return await FinishAsync(job, "completed", JsonSerializer.Serialize(result), stack: null);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The job stays active under a lock that expires; the stall check gives it back to the queue.
            WorkerLog.FinishFailed(_logger, _keys.Name, job.Id, e.Message);
            return null;
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
        }
    }

    private static bool IsJson(string text, out string? error)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            error = e.Message;
            return false;
        }
    }

    private Task<Job?> FailAttemptAsync(Job job, Exception error)
    {
        Interlocked.Increment(ref _failed);
        var options = job.Options;
        var attemptsMade = job.AttemptsMade + 1;
        var retry = error is not UnrecoverableJobException && attemptsMade < options.EffectiveAttempts;
        var stack = error.ToString();
        if (!retry)
        {
            return FinishAsync(job, "failed", error.Message, stack);
        }

        var backoff = options.Backoff?.DelayAfter(attemptsMade) ?? 0;
        WorkerLog.Retrying(_logger, _keys.Name, job.Id, attemptsMade, backoff, error.Message);
        return FinishAsync(job, backoff > 0 ? "delay" : "retry", error.Message, stack, backoff);
    }

    /// <summary>Ends the attempt and, unless the worker is stopping, takes the next ready job in the same call.</summary>
    private async Task<Job?> FinishAsync(Job job, string outcome, string value, string? stack, long backoff = 0)
    {
        var options = job.Options;
        var keep = outcome == "completed" ? options.RemoveOnComplete : options.RemoveOnFail;
        var stacktrace = "[]";
        if (stack is not null)
        {
            stacktrace = JsonSerializer.Serialize(job.Stacktrace().Append(stack).TakeLast(StacktraceLimit));
        }

        var fetchNext = !_stopping.IsCancellationRequested;
        var db = await _connection.DatabaseAsync();
        var (status, next) = await ScriptCalls.Finish(
            _keys, job.Id, _token, Now(), outcome, value, stacktrace, keep, backoff, options.Lifo == true,
            options.EffectiveAttempts, fetchNext, _options.LockDuration).RunAsync(db);
        if (status < 0)
        {
            WorkerLog.LockLost(_logger, _keys.Name, job.Id, outcome, status);
        }

        return next;
    }

    private async Task MaintainAsync(CancellationToken stopping)
    {
        var renewEvery = _options.LockDuration / 2;
        var nextStallCheck = TimeSpan.Zero;
        var sinceStallCheck = Stopwatch.StartNew();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await RenewLocksAsync();
                if (sinceStallCheck.Elapsed >= nextStallCheck)
                {
                    await RecoverStalledAsync();
                    sinceStallCheck.Restart();
                    nextStallCheck = _options.StalledInterval;
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                WorkerLog.RedisUnavailable(_logger, _keys.Name, renewEvery.TotalMilliseconds, e.Message);
            }

            var wait = renewEvery < _options.StalledInterval ? renewEvery : _options.StalledInterval;
            await Delay(wait, stopping);
        }
    }

    private async Task RenewLocksAsync()
    {
        var ids = _running.Keys.ToArray();
        if (ids.Length == 0)
        {
            return;
        }

        var db = await _connection.DatabaseAsync();
        var lost = await ScriptCalls.Extend(_keys, _token, _options.LockDuration, ids).RunAsync(db);
        foreach (var id in lost)
        {
            // Another worker may take the job now; stop ours rather than run it twice.
            if (_running.TryGetValue(id, out var cancellation))
            {
                WorkerLog.LockLost(_logger, _keys.Name, id, "renew", -2);
                await cancellation.CancelAsync();
            }
        }
    }

    private async Task RecoverStalledAsync()
    {
        var db = await _connection.DatabaseAsync();
        var recovered = await ScriptCalls.Stalled(_keys, Now(), _options.MaxStalledCount, _options.StalledInterval).RunAsync(db);
        foreach (var id in recovered)
        {
            WorkerLog.StalledRecovered(_logger, _keys.Name, id);
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static async Task Delay(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, stopping);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}

internal static partial class WorkerLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: Redis unavailable, retrying in {DelayMs} ms: {Error}")]
    public static partial void RedisUnavailable(ILogger logger, string queue, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: job {JobId} could not be finished ({Error}); the stall check will return it to the queue")]
    public static partial void FinishFailed(ILogger logger, string queue, string jobId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: job {JobId} attempt {Attempt} failed, retrying after {BackoffMs} ms: {Error}")]
    public static partial void Retrying(ILogger logger, string queue, string jobId, int attempt, long backoffMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: lost the lock of job {JobId} ({Step}, code {Code}); another worker owns it now")]
    public static partial void LockLost(ILogger logger, string queue, string jobId, string step, long code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: job {JobId} stalled (its worker stopped renewing the lock) and went back to wait")]
    public static partial void StalledRecovered(ILogger logger, string queue, string jobId);
}
