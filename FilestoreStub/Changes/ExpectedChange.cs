namespace FilestoreStub.Changes;

/// <summary>A file-level effect Filestore itself is about to have on a root: the file's new content hash, or null when it goes.</summary>
public sealed record ExpectedChange(string Path, string? Sha256);
