using System.Diagnostics;
using System.Text.Json;

namespace BullMq;

/// <summary>The client's tracing source and meter name, and how trace context travels inside a job.</summary>
public static class QueueTelemetry
{
    /// <summary>Name of the <see cref="ActivitySource"/> and of the meter; add both to OpenTelemetry.</summary>
    public const string Name = "BullMq";

    internal static readonly ActivitySource Source = new(Name);

    /// <summary>The telemetry metadata to store with a new job: the current trace context, as BullMQ's OpenTelemetry integration stores it.</summary>
    internal static string? CurrentMetadata()
    {
        var activity = Activity.Current;
        if (activity is null)
        {
            return null;
        }

        var carrier = new Dictionary<string, string> { ["traceparent"] = activity.Id! };
        if (!string.IsNullOrEmpty(activity.TraceStateString))
        {
            carrier["tracestate"] = activity.TraceStateString;
        }

        return JsonSerializer.Serialize(carrier);
    }

    internal static string? TraceParentFrom(string? metadata)
    {
        if (string.IsNullOrEmpty(metadata))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(metadata);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("traceparent", out var traceParent)
                ? traceParent.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Starts the span of one processing attempt as a child of the producer's trace, when the job carries one.</summary>
    internal static Activity? StartProcessing(Job job)
    {
        ActivityContext.TryParse(job.TraceParent, null, out var parent);
        var activity = Source.StartActivity($"process {job.Queue}", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "bullmq");
        activity?.SetTag("messaging.destination.name", job.Queue);
        activity?.SetTag("messaging.message.id", job.Id);
        activity?.SetTag("bullmq.job.name", job.Name);
        activity?.SetTag("bullmq.job.attempt", job.AttemptsMade + 1);
        return activity;
    }
}
