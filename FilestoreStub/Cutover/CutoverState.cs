namespace FilestoreStub.Cutover;

/// <summary>Where a service stands in an environment.</summary>
public sealed record CutoverState(string Env, string Service, string Mode, DateTimeOffset? Since, Approval? Approval);
