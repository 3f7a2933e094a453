using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace BullMq;

/// <summary>The last reading of one queue.</summary>
public sealed record QueueSnapshot(
    string Queue, IReadOnlyDictionary<string, long> Counts, bool Paused, TimeSpan OldestWaitingAge, DateTimeOffset ReadAt);

/// <summary>
/// Reads the queues every few seconds and publishes them as BullMQ's exporter names them:
/// <c>bullmq_job_count{queue,state}</c>, <c>bullmq_queue_paused{queue}</c> and
/// <c>bullmq_queue_oldest_waiting_age_seconds{queue}</c>. A queue that cannot be read reports nothing rather than stale numbers.
/// </summary>
public sealed class QueueMonitor : BackgroundService
{
    private readonly IReadOnlyList<QueueOperations> _queues;
    private readonly TimeSpan _interval;
    private readonly ConcurrentDictionary<string, QueueSnapshot> _latest = new();

    /// <summary>Creates the monitor and its gauges on the <see cref="QueueTelemetry.Name"/> meter.</summary>
    public QueueMonitor(QueueConnection connection, IEnumerable<string> queues, IMeterFactory meterFactory, TimeSpan? interval = null, TimeProvider? time = null)
    {
        _queues = queues.Select(q => new QueueOperations(connection, q, time)).ToList();
        _interval = interval ?? TimeSpan.FromSeconds(2);
        var meter = meterFactory.Create(QueueTelemetry.Name);
        meter.CreateObservableGauge("bullmq_job_count", ObserveCounts, description: "Jobs in each state, per queue.");
        meter.CreateObservableGauge("bullmq_queue_paused", ObservePaused, description: "1 while the queue is paused.");
        meter.CreateObservableGauge("bullmq_queue_oldest_waiting_age_seconds", ObserveOldest, unit: "s",
            description: "Age of the oldest job ready to run (waiting or prioritized), since it was added.");
    }

    /// <summary>The latest reading of <paramref name="queue"/>, or null when it could not be read last time.</summary>
    public QueueSnapshot? Latest(string queue) => _latest.GetValueOrDefault(queue);

    /// <summary>Reads every queue now.</summary>
    public async Task RefreshAsync()
    {
        foreach (var queue in _queues)
        {
            try
            {
                _latest[queue.Name] = new QueueSnapshot(
                    queue.Name,
                    await queue.GetJobCountsAsync(),
                    await queue.IsPausedAsync(),
                    await queue.OldestWaitingAgeAsync(),
                    DateTimeOffset.UtcNow);
            }
            catch (Exception)
            {
                // Whatever a read fails with, the queue reports nothing until the next one succeeds. Not only Redis's own
                // errors: a connection torn down mid-read after a stretch of timeouts (Redis paused) surfaces as an
                // InvalidOperationException or a TaskCanceledException (a read waits on no token of ours), and a monitor
                // that threw either would stop the whole service's host.
                _latest.TryRemove(queue.Name, out _);
            }
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        do
        {
            await RefreshAsync();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private IEnumerable<Measurement<long>> ObserveCounts() =>
        _latest.Values.SelectMany(s => s.Counts.Select(c => new Measurement<long>(
            c.Value, new KeyValuePair<string, object?>("queue", s.Queue), new KeyValuePair<string, object?>("state", c.Key))));

    private IEnumerable<Measurement<int>> ObservePaused() =>
        _latest.Values.Select(s => new Measurement<int>(s.Paused ? 1 : 0, new KeyValuePair<string, object?>("queue", s.Queue)));

    private IEnumerable<Measurement<double>> ObserveOldest() =>
        _latest.Values.Select(s => new Measurement<double>(s.OldestWaitingAge.TotalSeconds, new KeyValuePair<string, object?>("queue", s.Queue)));
}

/// <summary>
/// Health of one queue, read live: unhealthy when Redis cannot be reached, degraded when the queue is paused or more
/// jobs wait than <paramref name="backlogThreshold"/>.
/// </summary>
public sealed class QueueHealthCheck(QueueConnection connection, string queue, long backlogThreshold) : IHealthCheck
{
    private readonly QueueOperations _queue = new(connection, queue);

    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var counts = await _queue.GetJobCountsAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
            var waiting = counts[JobStates.Waiting] + counts[JobStates.Prioritized];
            var data = counts.ToDictionary(c => c.Key, c => (object)c.Value);
            if (await _queue.IsPausedAsync())
            {
                return HealthCheckResult.Degraded($"Queue '{queue}' is paused.", data: data);
            }

            return waiting > backlogThreshold
                ? HealthCheckResult.Degraded($"Queue '{queue}' has {waiting} jobs waiting, over the threshold of {backlogThreshold}.", data: data)
                : HealthCheckResult.Healthy($"Queue '{queue}': {waiting} waiting, {counts[JobStates.Active]} active.", data);
        }
        catch (Exception e) when (e is QueueUnavailableException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Queue '{queue}': Redis is unreachable.", e);
        }
    }
}
