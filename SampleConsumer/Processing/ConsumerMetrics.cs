using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace SampleConsumer.Processing;

/// <summary>The consumer half of the metric contract (docs/metrics.md, The contract).</summary>
public sealed class ConsumerMetrics
{
    public const string MeterName = "SampleConsumer";

    /// <summary>
    /// The env and service of a malformed event: its fields are not trusted, so arbitrary strings cannot become series.
    /// </summary>
    public const string Unknown = "unknown";

    // Reconciliation lag is judged against 5 s (the SLO); the buckets resolve well below and above it.
    private static readonly double[] LagBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
    private readonly Counter<long> _processed;
    private readonly Histogram<double> _lag;
    private readonly ConcurrentDictionary<string, double> _lastApplied = new(StringComparer.Ordinal);
    private readonly string _consumer;

    public ConsumerMetrics(IMeterFactory meterFactory, Microsoft.Extensions.Options.IOptions<ConsumerOptions> options)
    {
        _consumer = options.Value.RoleName;
        var meter = meterFactory.Create(MeterName);
        _processed = meter.CreateCounter<long>("consumer_events_processed", description: "Events handled, per environment and service, by outcome: applied, duplicate (a redelivery), failed.");
        _lag = meter.CreateHistogram("consumer_reconciliation_lag", unit: "s",
            description: "From the change (command accepted, drift seen) to applied in this consumer's store.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });
        meter.CreateObservableGauge("consumer_last_applied_timestamp_seconds", ObserveLastApplied, unit: null,
            description: "Unix time at which this consumer last applied an event, per environment.");
    }

    public void Processed(string queue, string outcome, string env, string service) =>
        _processed.Add(1, new("consumer", _consumer), new("queue", queue), new("outcome", outcome), new("env", env), new("service", service));

    public void Applied(string env, string service, TimeSpan lag, DateTimeOffset now)
    {
        _lag.Record(Math.Max(0, lag.TotalSeconds), new("consumer", _consumer), new("env", env), new("service", service));
        _lastApplied[env] = now.ToUnixTimeMilliseconds() / 1000.0;
    }

    private IEnumerable<Measurement<double>> ObserveLastApplied() =>
        _lastApplied.Select(e => new Measurement<double>(e.Value, new("consumer", _consumer), new("env", e.Key)));
}
