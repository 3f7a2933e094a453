namespace FilestoreStub.Changes;

/// <summary>A change between two scans of a root.</summary>
public sealed record Drift(string Kind, string Path, FileState? State, string? PreviousPath = null);
