using FilestoreStub.Changes;

namespace FilestoreStub.Cutover;

/// <summary>One line of the audit trail: a transition that was made, refused, or failed part-way.</summary>
public sealed record AuditEntry(
    string Id, DateTimeOffset At, string By, CutoverMode From, CutoverMode To, TransitionResult Outcome,
    IReadOnlyList<Gate> Gates, IReadOnlyList<RollbackStep> Steps, string CorrelationId);
