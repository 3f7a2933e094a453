using System.Text.Json;
using System.Text.Json.Serialization;

namespace BullMq;

/// <summary>
/// Options of a job, stored as the job's <c>opts</c> JSON with BullMQ's own field names, so BullMQ workers honour them.
/// </summary>
public sealed record JobOptions
{
    /// <summary>A caller-chosen id: adding a second job with the same id adds nothing (idempotent add).</summary>
    [JsonPropertyName("jobId")]
    public string? JobId { get; init; }

    /// <summary>How many times the job may run in all (1 or less: once, no retry).</summary>
    [JsonPropertyName("attempts")]
    public int Attempts { get; init; }

    /// <summary>Wait before each retry; none retries at once.</summary>
    [JsonPropertyName("backoff")]
    public Backoff? Backoff { get; init; }

    /// <summary>Milliseconds before the job may run.</summary>
    [JsonPropertyName("delay")]
    public long? Delay { get; init; }

    /// <summary>1 runs first; 0 or none means no priority (plain FIFO wait list).</summary>
    [JsonPropertyName("priority")]
    public int? Priority { get; init; }

    /// <summary>Add at the end that workers take next.</summary>
    [JsonPropertyName("lifo")]
    public bool? Lifo { get; init; }

    /// <summary>Which completed jobs to keep; none keeps all.</summary>
    [JsonPropertyName("removeOnComplete")]
    public KeepJobs? RemoveOnComplete { get; init; }

    /// <summary>Which failed jobs to keep; none keeps all.</summary>
    [JsonPropertyName("removeOnFail")]
    public KeepJobs? RemoveOnFail { get; init; }

    /// <summary>Trace context carried with the job (BullMQ's <c>telemetry.metadata</c>): a JSON object holding <c>traceparent</c>.</summary>
    [JsonPropertyName("tm")]
    public string? TelemetryMetadata { get; init; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The attempts a job really gets: at least one.</summary>
    [JsonIgnore]
    public int EffectiveAttempts => Math.Max(1, Attempts);

    /// <summary>Checks the values before anything is written; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Attempts < 0)
        {
            throw new ArgumentException($"attempts must be 0 or more, not {Attempts}.");
        }

        if (Delay is < 0)
        {
            throw new ArgumentException($"delay must be 0 or more milliseconds, not {Delay}.");
        }

        if (Priority is < 0 or > Scores.MaxPriority)
        {
            throw new ArgumentException($"priority must be from 0 to {Scores.MaxPriority}, not {Priority}.");
        }

        if (JobId is { } id && (id.Length == 0 || id.Contains(':', StringComparison.Ordinal) || int.TryParse(id, out _)))
        {
            throw new ArgumentException($"jobId '{id}' is invalid: it must be non-empty, without ':' and not a plain integer (those are BullMQ's own ids).");
        }

        Backoff?.Validate();
    }

    /// <summary>Serialises to BullMQ's <c>opts</c> JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a job's <c>opts</c> JSON, as written by this client or by BullMQ.</summary>
    public static JobOptions FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? new JobOptions() : JsonSerializer.Deserialize<JobOptions>(json, Json) ?? new JobOptions();
}

/// <summary>Retry backoff: <c>fixed</c> waits <see cref="Delay"/> each time, <c>exponential</c> doubles it each attempt.</summary>
[JsonConverter(typeof(BackoffConverter))]
public sealed record Backoff(string Type, long Delay)
{
    /// <summary>The same wait before every retry.</summary>
    public static Backoff Fixed(long delayMs) => new("fixed", delayMs);

    /// <summary><paramref name="delayMs"/>, then twice that, four times, …</summary>
    public static Backoff Exponential(long delayMs) => new("exponential", delayMs);

    /// <summary>
    /// Milliseconds to wait before the retry that follows attempt number <paramref name="attemptsMade"/> (1 for the
    /// first failure), computed as BullMQ's built-in strategies do: fixed <c>delay</c>, exponential
    /// <c>round(2^(attemptsMade-1) * delay)</c>.
    /// </summary>
    public long DelayAfter(int attemptsMade)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptsMade, 1);
        return Type switch
        {
            "fixed" => Delay,
            "exponential" => (long)Math.Min(Math.Round(Math.Pow(2, attemptsMade - 1) * Delay), long.MaxValue / 2),
            _ => throw new InvalidOperationException($"Unknown backoff type '{Type}'."),
        };
    }

    internal void Validate()
    {
        if (Type is not ("fixed" or "exponential"))
        {
            throw new ArgumentException($"backoff type must be 'fixed' or 'exponential', not '{Type}'.");
        }

        if (Delay < 0)
        {
            throw new ArgumentException($"backoff delay must be 0 or more milliseconds, not {Delay}.");
        }
    }
}

/// <summary>
/// BullMQ's <c>removeOnComplete</c> / <c>removeOnFail</c>: <c>true</c> removes the job, a number keeps that many
/// most recent jobs, <c>{age, count}</c> keeps jobs younger than <c>age</c> seconds and at most <c>count</c> of them.
/// </summary>
[JsonConverter(typeof(KeepJobsConverter))]
public sealed record KeepJobs(long? Count, long? AgeSeconds)
{
    /// <summary>Remove the job as soon as it finishes.</summary>
    public static readonly KeepJobs None = new(0, null);

    /// <summary>Keep the <paramref name="count"/> most recent finished jobs.</summary>
    public static KeepJobs Last(long count) => new(count, null);

    internal long CountOrAll => Count ?? -1;

    internal long AgeOrUnlimited => AgeSeconds ?? -1;
}

internal sealed class BackoffConverter : JsonConverter<Backoff>
{
    public override Backoff Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // BullMQ accepts a bare number for a fixed backoff.
        if (reader.TokenType == JsonTokenType.Number)
        {
            return Backoff.Fixed(reader.GetInt64());
        }

        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var type = root.TryGetProperty("type", out var t) ? t.GetString() ?? "fixed" : "fixed";
        var delay = root.TryGetProperty("delay", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt64() : 0;
        return new Backoff(type, delay);
    }

    public override void Write(Utf8JsonWriter writer, Backoff value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("type", value.Type);
        writer.WriteNumber("delay", value.Delay);
        writer.WriteEndObject();
    }
}

internal sealed class KeepJobsConverter : JsonConverter<KeepJobs>
{
    public override KeepJobs? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                return KeepJobs.None;
            case JsonTokenType.False:
                return null;
            case JsonTokenType.Number:
                return KeepJobs.Last(reader.GetInt64());
            default:
                using (var document = JsonDocument.ParseValue(ref reader))
                {
                    var root = document.RootElement;
                    long? count = root.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : null;
                    long? age = root.TryGetProperty("age", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt64() : null;
                    return new KeepJobs(count, age);
                }
        }
    }

    public override void Write(Utf8JsonWriter writer, KeepJobs value, JsonSerializerOptions options)
    {
        if (value is { Count: 0, AgeSeconds: null })
        {
            writer.WriteBooleanValue(true);
        }
        else if (value.AgeSeconds is null && value.Count is { } count)
        {
            writer.WriteNumberValue(count);
        }
        else
        {
            writer.WriteStartObject();
            if (value.AgeSeconds is { } age)
            {
                writer.WriteNumber("age", age);
            }

            if (value.Count is { } keep)
            {
                writer.WriteNumber("count", keep);
            }

            writer.WriteEndObject();
        }
    }
}
