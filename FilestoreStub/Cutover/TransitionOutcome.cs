namespace FilestoreStub.Cutover;

/// <summary>
/// What a transition request came to. <see cref="Outcome"/> is <c>switched</c>, <c>refused</c> (gates failed),
/// <c>failed</c> (a rollback step failed; the mode stayed), <c>not-allowed</c> (no such transition) or
/// <c>conflict</c> (the mode changed meanwhile).
/// </summary>
public sealed record TransitionOutcome(
    string Outcome, string From, string To, IReadOnlyList<Gate> Gates, IReadOnlyList<RollbackStep> Steps, AuditEntry? Audit)
{
    public IEnumerable<Gate> FailedGates => Gates.Where(g => !g.Passed);
}
