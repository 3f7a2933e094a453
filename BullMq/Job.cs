using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace BullMq;

/// <summary>A job as stored in its hash (<c>bull:&lt;queue&gt;:&lt;id&gt;</c>), whichever client wrote it.</summary>
public sealed class Job
{
    private Job(string queue, string id, IReadOnlyDictionary<string, string> fields)
    {
        Queue = queue;
        Id = id;
        Fields = fields;
        Name = Field("name") ?? string.Empty;
        DataJson = Field("data") ?? "{}";
        OptionsJson = Field("opts");
        Timestamp = Long("timestamp") ?? 0;
        AttemptsMade = (int)(Long("atm") ?? 0);
        AttemptsStarted = (int)(Long("ats") ?? 0);
        StalledCounter = (int)(Long("stc") ?? 0);
        ProcessedOn = Long("processedOn");
        FinishedOn = Long("finishedOn");
        ReturnValueJson = Field("returnvalue");
        FailedReason = Field("failedReason");
        DeferredFailure = Field("defa");
        StacktraceJson = Field("stacktrace");
    }

    /// <summary>The queue the job belongs to.</summary>
    public string Queue { get; }

    /// <summary>The job id.</summary>
    public string Id { get; }

    /// <summary>The job name.</summary>
    public string Name { get; }

    /// <summary>The job data as stored: JSON text (not validated until a worker parses it).</summary>
    public string DataJson { get; }

    /// <summary>The stored options JSON.</summary>
    public string? OptionsJson { get; }

    /// <summary>When the job was added, in ms since the Unix epoch.</summary>
    public long Timestamp { get; }

    /// <summary>Attempts that ended (completed, failed or retried).</summary>
    public int AttemptsMade { get; }

    /// <summary>Attempts that started (moved to active).</summary>
    public int AttemptsStarted { get; }

    /// <summary>How often the job stalled (its worker died or lost the lock).</summary>
    public int StalledCounter { get; }

    /// <summary>When the last attempt started, in ms since the Unix epoch.</summary>
    public long? ProcessedOn { get; }

    /// <summary>When the job completed or finally failed, in ms since the Unix epoch.</summary>
    public long? FinishedOn { get; }

    /// <summary>The handler's return value as JSON, once completed.</summary>
    public string? ReturnValueJson { get; }

    /// <summary>Why the last attempt failed.</summary>
    public string? FailedReason { get; }

    /// <summary>A failure decided before the job runs again (set when it stalled too often).</summary>
    public string? DeferredFailure { get; }

    /// <summary>The stack traces of failed attempts, a JSON array.</summary>
    public string? StacktraceJson { get; }

    /// <summary>Every field of the job hash, for what the properties above do not cover.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>The job's options; unreadable options count as none.</summary>
    public JobOptions Options => field ??= ReadOptions();

    /// <summary>The W3C <c>traceparent</c> the producer stored with the job, if any.</summary>
    public string? TraceParent => QueueTelemetry.TraceParentFrom(Options.TelemetryMetadata);

    /// <summary>Parses <see cref="DataJson"/>; throws <see cref="JsonException"/> when it is not valid JSON.</summary>
    public JsonElement ParseData()
    {
        using var document = JsonDocument.Parse(DataJson);
        return document.RootElement.Clone();
    }

    /// <summary>Deserialises <see cref="DataJson"/> to <typeparamref name="T"/>.</summary>
    public T? DataAs<T>(JsonSerializerOptions? options = null) => JsonSerializer.Deserialize<T>(DataJson, options);

    internal static Job FromHash(string queue, string id, RedisResult[] flat)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            fields[(string)flat[i]!] = (string)flat[i + 1]!;
        }

        return new Job(queue, id, fields);
    }

    internal static Job? FromHash(string queue, string id, HashEntry[] entries) =>
        entries.Length == 0
            ? null
            : new Job(queue, id, entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal));

    internal IReadOnlyList<string> Stacktrace()
    {
        try
        {
            return StacktraceJson is null ? [] : JsonSerializer.Deserialize<List<string>>(StacktraceJson) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private JobOptions ReadOptions()
    {
        try
        {
            return JobOptions.FromJson(OptionsJson);
        }
        catch (JsonException)
        {
            return new JobOptions();
        }
    }

    private string? Field(string name) => Fields.TryGetValue(name, out var value) ? value : null;

    private long? Long(string name) =>
        Field(name) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? (long)value : null;
}
