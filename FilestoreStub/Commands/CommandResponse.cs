using FilestoreStub.Changes;

namespace FilestoreStub.Commands;

/// <summary>
/// How a command was answered: the same body, byte for byte, is replayed for its idempotency key. <c>EventId</c> is
/// the first of the <c>Events</c> published (more than one for a folder move: one per file, then the folder).
/// </summary>
public sealed record CommandResponse(
    string CommandId, string CorrelationId, CutoverMode Mode, bool Executed, PlannedChange Change, string? EventId, int Events, bool? Published,
    DateTimeOffset At);
