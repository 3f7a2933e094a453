namespace FilestoreStub.Access;

/// <summary>A token as issued: the secret is in this answer only.</summary>
public sealed record TokenResponse(string Token, string TokenId, string Principal, string Kind, DateTimeOffset? ExpiresAt, DateTimeOffset? PreviousTokensValidUntil = null);
