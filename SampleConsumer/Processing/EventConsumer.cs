using BullMq;
using Microsoft.Extensions.Options;
using SampleConsumer.Events;
using SampleConsumer.Faults;
using SampleConsumer.Stores;

namespace SampleConsumer.Processing;

/// <summary>
/// Takes this role's queue (<c>metastore-events</c> or <c>timestore-events</c>) with the queue client's worker and
/// applies each event to the role's store. A malformed event fails at once with its reason; a store that cannot be
/// reached fails the attempt, and the job is retried with its backoff. Every log line of an event carries its
/// event id, correlation id, env, service and path; the worker's span continues the trace of the API call.
/// </summary>
public sealed class EventConsumer(
    QueueConnection connection, IConsumerStore store, Stall stall, ConsumerMetrics metrics, TimeProvider time,
    IOptions<ConsumerOptions> options, ILogger<EventConsumer> logger) : IHostedService, IAsyncDisposable
{
    private QueueWorker? _worker;

    public string Queue => options.Value.Queue;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _worker = new QueueWorker(connection, Queue, HandleAsync,
            new WorkerOptions
            {
                // Shown as the worker's name by BullMQ's getWorkers() and the queue board.
                Name = options.Value.RoleName,
                Concurrency = options.Value.Concurrency,
                LockDuration = options.Value.LockDuration,
                StalledInterval = options.Value.StalledInterval,
                // A crash in the middle of an event is not the event's fault: let it be recovered more than once.
                MaxStalledCount = 5,
            }, time, logger);
        _worker.Start();
        ConsumerLog.Started(logger, options.Value.RoleName, Queue, options.Value.Concurrency);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_worker is not null)
        {
            await _worker.StopAsync(TimeSpan.FromSeconds(10));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }

    private async Task<object?> HandleAsync(Job job, CancellationToken ct)
    {
        ChangeEvent change;
        try
        {
            change = ChangeEvent.Parse(job.DataJson);
        }
        catch (MalformedEventException e)
        {
            metrics.Processed(Queue, "failed", ConsumerMetrics.Unknown, ConsumerMetrics.Unknown);
            ConsumerLog.Malformed(logger, job.Id, e.Message);
            throw new UnrecoverableJobException(e.Message);
        }

        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["EventId"] = change.EventId, ["CorrelationId"] = change.CorrelationId, ["Env"] = change.Env,
            ["Service"] = change.Service, ["Path"] = change.Path,
        });
        // The span is found by the same ids as the log lines (the correlation guide searches traces by them).
        System.Diagnostics.Activity.Current?.SetTag("filestore.correlation_id", change.CorrelationId);
        System.Diagnostics.Activity.Current?.SetTag("filestore.event_id", change.EventId);
        await stall.WaitAsync(ct);
        ApplyOutcome outcome;
        try
        {
            // The worker's span continues the trace of the request that made the change; the store keeps its id.
            outcome = await store.ApplyAsync(change, System.Diagnostics.Activity.Current?.TraceId.ToString());
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            metrics.Processed(Queue, "failed", change.Env, change.Service);
            ConsumerLog.StoreUnavailable(logger, e.Message);
            throw;
        }

        var now = time.GetUtcNow();
        if (outcome == ApplyOutcome.Applied)
        {
            metrics.Processed(Queue, "applied", change.Env, change.Service);
            metrics.Applied(change.Env, change.Service, now - DateTimeOffset.FromUnixTimeMilliseconds(change.OccurredAt), now);
            ConsumerLog.Applied(logger, change.Kind, change.Path);
        }
        else
        {
            metrics.Processed(Queue, "duplicate", change.Env, change.Service);
            ConsumerLog.Duplicate(logger, change.Kind, change.Path);
        }

        return outcome.ToString().ToLowerInvariant();
    }
}

internal static partial class ConsumerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Role} consuming {Queue} with concurrency {Concurrency}")]
    public static partial void Started(ILogger logger, string role, string queue, int concurrency);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Applied {Kind} of {Path}")]
    public static partial void Applied(ILogger logger, string kind, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Duplicate {Kind} of {Path}: applied before, nothing changed")]
    public static partial void Duplicate(ILogger logger, string kind, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed for good: {Reason}")]
    public static partial void Malformed(ILogger logger, string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store is unavailable; the event will be retried: {Error}")]
    public static partial void StoreUnavailable(ILogger logger, string error);
}
