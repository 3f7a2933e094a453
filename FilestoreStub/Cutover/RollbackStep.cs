namespace FilestoreStub.Cutover;

/// <summary>One step of a rollback and how it went.</summary>
public sealed record RollbackStep(RollbackStepName Name, StepOutcome Outcome, string Detail);
