using System.Diagnostics.Metrics;
using FilestoreStub.Changes;

namespace FilestoreStub.Commands;

/// <summary><c>filestore_commands_total{env,service,command,outcome,mode}</c> and <c>filestore_command_duration_seconds{env,service,command,outcome}</c>.</summary>
public sealed class CommandMetrics
{
    // From a fast shadow plan (sub-millisecond) to an injected-latency drill (seconds).
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly Counter<long> _commands;
    private readonly Histogram<double> _duration;

    public CommandMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(FilestoreTelemetry.MeterName);
        _commands = meter.CreateCounter<long>("filestore_commands", description: "Commands answered, by outcome and cutover mode.");
        _duration = meter.CreateHistogram("filestore_command_duration", unit: "s", description: "Time to answer a command.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
    }

    public void Record(string env, string service, string command, string outcome, CutoverMode mode, TimeSpan took)
    {
        _commands.Add(1, new("env", env), new("service", service), new("command", command), new("outcome", outcome), new("mode", mode.ToKebabCase()));
        _duration.Record(took.TotalSeconds, new("env", env), new("service", service), new("command", command), new("outcome", outcome));
    }
}
