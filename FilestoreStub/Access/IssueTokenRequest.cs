namespace FilestoreStub.Access;

/// <summary>Body of <c>POST /access/tokens</c>: issue a token for a principal, optionally with a lifetime.</summary>
public sealed record IssueTokenRequest(string? Principal, string? Kind, long? LifetimeSeconds);
