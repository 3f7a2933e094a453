using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace FilestoreStub.Events;

/// <summary>
/// One change to a managed path, as both consumers receive it. <see cref="EventId"/> is also the BullMQ job id, so
/// publishing the same event twice adds nothing; <see cref="OccurredAt"/> (ms) is when the change was accepted or
/// seen, which the consumers' reconciliation lag is measured from. <see cref="Sequence"/> (from
/// <see cref="EventSequence"/>) orders the changes of a path: consumers never let a lower one overwrite a higher one.
/// </summary>
public sealed record FilestoreEvent(
    [property: JsonPropertyName("eventId")] string EventId,
    [property: JsonPropertyName("env")] string Env,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("occurredAt")] long OccurredAt,
    [property: JsonPropertyName("correlationId")] string CorrelationId,
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("size")] long? Size = null,
    [property: JsonPropertyName("sha256")] string? Sha256 = null,
    [property: JsonPropertyName("previousPath")] string? PreviousPath = null,
    [property: JsonPropertyName("commandId")] string? CommandId = null)
{
    /// <summary>
    /// An event id that follows from what was seen (prefix, then the facts that make the change this change), so
    /// publishing the same observation again adds nothing to the queues.
    /// </summary>
    public static string DerivedId(string prefix, params string?[] facts) =>
        $"{prefix}-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', facts))))[..32];
}
