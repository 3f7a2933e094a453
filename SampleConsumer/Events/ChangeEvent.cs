using System.Text.Json;
using System.Text.Json.Serialization;

namespace SampleConsumer.Events;

/// <summary>
/// One change to a managed path, as Filestore publishes it (the wire format of <c>FilestoreStub/Events</c>). The
/// consumer keeps its own copy of the shape: it depends on the format, not on the stub's code.
/// <see cref="Sequence"/> orders the changes of a path; <see cref="OccurredAt"/> (ms) is when the change was made or
/// seen, the start of the reconciliation lag.
/// </summary>
public sealed record ChangeEvent(
    string EventId, string Env, string Service, string Path, string Kind, string Source, long OccurredAt, long Sequence,
    string CorrelationId, long? Size, string? Sha256, string? PreviousPath)
{
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal)
    {
        "created", "modified", "deleted", "renamed", "seeded", "directory-created", "directory-renamed", "directory-deleted",
    };

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };

    private sealed record Wire(
        string? EventId, string? Env, string? Service, string? Path, string? Kind, string? Source, long? OccurredAt, long? Sequence,
        string? CorrelationId, long? Size, string? Sha256, string? PreviousPath);

    /// <summary>Reads a job's data; throws <see cref="MalformedEventException"/> naming every problem.</summary>
    public static ChangeEvent Parse(string json)
    {
        Wire? wire;
        try
        {
            wire = JsonSerializer.Deserialize<Wire>(json, Strict);
        }
        catch (JsonException e)
        {
            throw new MalformedEventException($"the data is not an event ({e.Message.Split(". ")[0]})");
        }

        if (wire is null)
        {
            throw new MalformedEventException("the data is null");
        }

        var problems = new List<string>();
        void Require(string? value, string name)
        {
            if (string.IsNullOrEmpty(value))
            {
                problems.Add($"{name} is missing");
            }
        }

        Require(wire.EventId, "eventId");
        Require(wire.Env, "env");
        Require(wire.Service, "service");
        Require(wire.Path, "path");
        Require(wire.CorrelationId, "correlationId");
        if (wire.Kind is null || !Kinds.Contains(wire.Kind))
        {
            problems.Add($"kind '{wire.Kind}' is not one of {string.Join(", ", Kinds)}");
        }

        if (wire.OccurredAt is not > 0)
        {
            problems.Add("occurredAt is missing");
        }

        if (wire.Sequence is not > 0)
        {
            problems.Add("sequence is missing");
        }

        if (wire.Kind == "renamed" && string.IsNullOrEmpty(wire.PreviousPath))
        {
            problems.Add("a renamed event needs previousPath");
        }

        if (wire.Kind is "created" or "modified" or "seeded" && (wire.Size is null || string.IsNullOrEmpty(wire.Sha256)))
        {
            problems.Add($"a {wire.Kind} event needs size and sha256");
        }

        if (problems.Count > 0)
        {
            throw new MalformedEventException(string.Join("; ", problems));
        }

        return new ChangeEvent(wire.EventId!, wire.Env!, wire.Service!, wire.Path!, wire.Kind!, wire.Source ?? "unknown", wire.OccurredAt!.Value,
            wire.Sequence!.Value, wire.CorrelationId!, wire.Size, wire.Sha256, wire.PreviousPath);
    }
}

/// <summary>An event that cannot be applied however often it is retried.</summary>
public sealed class MalformedEventException(string reason) : Exception($"Malformed event: {reason}.");
