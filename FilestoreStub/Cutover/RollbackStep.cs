namespace FilestoreStub.Cutover;

/// <summary>One step of a rollback and how it went: <c>done</c>, <c>failed</c>, or <c>skipped</c> after a failure.</summary>
public sealed record RollbackStep(string Name, string Outcome, string Detail);
