namespace FilestoreStub.Access;

/// <summary>A token as issued: the secret is shown once and never stored.</summary>
public sealed record IssuedToken(string Token, string TokenId, Principal Principal, DateTimeOffset? ExpiresAt);
