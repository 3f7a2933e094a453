namespace FilestoreStub.Cutover;

/// <summary>Body of an approval of the move to managed: an optional note for the audit.</summary>
public sealed record ApprovalRequest(string? Note);
