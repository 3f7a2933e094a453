namespace FilestoreStub.Access;

/// <summary>How many live tokens a revocation ended.</summary>
public sealed record RevokeResponse(int Revoked);
