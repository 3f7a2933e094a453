using FilestoreStub.Events;

namespace FilestoreStub.Commands;

/// <summary>A command carried out: its id and time, the command as it was executed, and one event per path it changed.</summary>
public sealed record ExecutedCommand(string CommandId, DateTimeOffset At, PreparedCommand Prepared, IReadOnlyList<FilestoreEvent> Events);
