using FilestoreStub.Changes;

namespace FilestoreStub.Cutover;

/// <summary>What a transition request came to, the gates it checked, the steps of a rollback, and its audit entry.</summary>
/// <param name="Outcome">What the request came to.</param>
/// <param name="From">The mode before.</param>
/// <param name="To">The mode asked for.</param>
/// <param name="Gates">The gates checked, passed or not.</param>
/// <param name="Steps">A rollback's steps, in order.</param>
/// <param name="Audit">The audit entry written, if one could be.</param>
/// <param name="StoreUnavailable">A rollback step failed because Redis could not be reached: retry once it is back.</param>
public sealed record TransitionOutcome(
    TransitionResult Outcome, CutoverMode From, CutoverMode To, IReadOnlyList<Gate> Gates, IReadOnlyList<RollbackStep> Steps, AuditEntry? Audit,
    bool StoreUnavailable = false)
{
    public IEnumerable<Gate> FailedGates => Gates.Where(g => !g.Passed);
}
