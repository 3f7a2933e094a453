using System.Diagnostics;
using System.Diagnostics.Metrics;
using BullMq.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BullMq.Tests.Telemetry;

[Collection(RedisCollection.Name)]
public sealed class TelemetryTests(RedisServer redis) : QueueTest(redis)
{

    [Fact]
    public async Task The_processing_span_continues_the_trace_of_the_code_that_added_the_job()
    {
        var queue = RedisServer.UniqueQueue("trace");
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "test-api" or QueueTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var api = new ActivitySource("test-api");

        ActivityTraceId requestTrace;
        string jobId;
        using (var request = api.StartActivity("PUT /files"))
        {
            requestTrace = request!.TraceId;
            jobId = (await new QueueProducer(Connection).AddAsync(queue, "e", new { })).JobId;
        }

        var stored = await Operations(queue).GetJobAsync(jobId);
        Assert.StartsWith($"00-{requestTrace}-", stored!.TraceParent, StringComparison.Ordinal);

        Workers.Start(queue, (_, _) => Task.FromResult<object?>(null));
        var processing = await Eventually.Until(
            () =>
            {
                lock (spans)
                {
                    return Task.FromResult(spans.FirstOrDefault(s => s.DisplayName == $"process {queue}"));
                }
            },
            span => span is not null, what: "the processing span");

        Assert.Equal(requestTrace, processing!.TraceId);
        Assert.Equal(ActivityKind.Consumer, processing.Kind);
        Assert.Equal(jobId, processing.GetTagItem("messaging.message.id"));
        Activity publish;
        lock (spans)
        {
            publish = spans.Single(s => s.DisplayName == $"publish {queue}");
        }

        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal(requestTrace, publish.TraceId);
        Assert.Equal(jobId, publish.GetTagItem("messaging.message.id"));
        Assert.Equal("bullmq", publish.GetTagItem("messaging.system"));
        Assert.Equal("e", publish.GetTagItem("bullmq.job.name"));
    }

    [Fact]
    public async Task The_monitor_publishes_the_metric_contract_names_and_labels()
    {
        var queue = RedisServer.UniqueQueue("metrics");
        var added = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
        var producer = new QueueProducer(Connection, new FixedTime(added));
        await producer.AddAsync(queue, "e", new { });
        await producer.AddAsync(queue, "e", new { }, new JobOptions { Delay = 60_000 });
        await Operations(queue).PauseAsync();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var monitor = new QueueMonitor(
            Connection, [queue], services.GetRequiredService<IMeterFactory>(), time: new FixedTime(added.AddSeconds(42)));
        await monitor.RefreshAsync();

        var seen = new List<(string Instrument, double Value, Dictionary<string, string> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == QueueTelemetry.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new Dictionary<string, string>();
            foreach (var tag in tags)
            {
                labels[tag.Key] = tag.Value?.ToString() ?? string.Empty;
            }

            seen.Add((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), labels));
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();

        var counts = seen.Where(s => s.Instrument == "bullmq_job_count" && s.Tags["queue"] == queue).ToDictionary(s => s.Tags["state"], s => s.Value);
        Assert.Equal(JobStates.Counted.Order(), counts.Keys.Order());
        Assert.Equal(1, counts["waiting"]);
        Assert.Equal(1, counts["delayed"]);
        Assert.All(counts.Where(c => c.Key is not ("waiting" or "delayed")), c => Assert.Equal(0, c.Value));
        Assert.Equal(1, seen.Single(s => s.Instrument == "bullmq_queue_paused" && s.Tags["queue"] == queue).Value);
        Assert.Equal(42, seen.Single(s => s.Instrument == "bullmq_queue_oldest_waiting_age_seconds" && s.Tags["queue"] == queue).Value);
    }

    [Fact]
    public async Task A_queue_that_cannot_be_read_for_any_reason_reports_nothing_and_the_monitor_carries_on()
    {
        var queue = RedisServer.UniqueQueue("unreadable");
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var monitor = new QueueMonitor(Connection, [queue], services.GetRequiredService<IMeterFactory>());
        await monitor.RefreshAsync();
        Assert.NotNull(monitor.Latest(queue));

        // Not an outage: Redis answers, with an error (the queue's meta hash is a string), which is no connection or timeout error.
        await Redis.Db.StringSetAsync(new QueueKeys(queue).Meta, "not a hash");
        await monitor.RefreshAsync();
        Assert.Null(monitor.Latest(queue));

        await Redis.Db.KeyDeleteAsync(new QueueKeys(queue).Meta);
        await monitor.RefreshAsync();
        Assert.NotNull(monitor.Latest(queue));
    }
}
