namespace FilestoreStub.Changes;

/// <summary>A shadow plan as recorded: what the command would have changed.</summary>
public sealed record ShadowPlan(string CommandId, string Command, string Principal, string CorrelationId, PlannedChange Change, DateTimeOffset At);
