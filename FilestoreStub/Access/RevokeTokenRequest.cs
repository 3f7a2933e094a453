namespace FilestoreStub.Access;

/// <summary>Body of <c>POST /access/tokens/revoke</c>: every token of a principal, or one token by its id.</summary>
public sealed record RevokeTokenRequest(string? Principal, string? TokenId);
