namespace FilestoreStub.Cutover;

/// <summary>What a transition request came to, the gates it checked, the steps of a rollback, and its audit entry.</summary>
public sealed record TransitionOutcome(
    TransitionResult Outcome, string From, string To, IReadOnlyList<Gate> Gates, IReadOnlyList<RollbackStep> Steps, AuditEntry? Audit)
{
    public IEnumerable<Gate> FailedGates => Gates.Where(g => !g.Passed);
}
