using FilestoreStub.Changes;

namespace FilestoreStub.Cutover;

/// <summary>Where a service stands in an environment.</summary>
public sealed record CutoverState(string Env, string Service, CutoverMode Mode, DateTimeOffset? Since, Approval? Approval);
