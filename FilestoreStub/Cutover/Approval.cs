namespace FilestoreStub.Cutover;

/// <summary>An operator's recorded go-ahead for <c>shadow -> managed</c>.</summary>
public sealed record Approval(string By, DateTimeOffset At, string? Note);
