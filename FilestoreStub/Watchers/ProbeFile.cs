namespace FilestoreStub.Watchers;

/// <summary>A probe file as written or removed: <see cref="WrittenAt"/> is when Filestore made that change on disk.</summary>
public sealed record ProbeFile(string Env, string Service, string Path, string Sha256, DateTimeOffset WrittenAt);
