namespace FilestoreStub.Policies;

/// <summary>The answer of a policy dry run: whether it is valid, what is wrong, and what it would change.</summary>
public sealed record PolicyCheck(bool Valid, IDictionary<string, string[]> Errors, PolicyDiff? Changes, int CurrentVersion);
