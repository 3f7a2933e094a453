namespace FilestoreStub.Changes;

/// <summary>One file as a scan saw it.</summary>
public sealed record FileState(long Size, DateTime ModifiedUtc, string Sha256);
