namespace FilestoreStub.Policies;

/// <summary>Body of a policy rollback: the version to apply again.</summary>
public sealed record RollbackRequest(int? Version);
