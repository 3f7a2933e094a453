namespace FilestoreStub.Access;

/// <summary>Who the caller is, as its token says.</summary>
public sealed record WhoAmIResponse(string Principal, string Kind);
