namespace FilestoreStub.Access;

/// <summary>Body of <c>POST /access/tokens/rotate</c>: a new token, and the old ones limited to a grace period.</summary>
public sealed record RotateTokenRequest(string? Principal, string? Kind, long? GraceSeconds, long? LifetimeSeconds);
