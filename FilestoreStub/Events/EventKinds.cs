namespace FilestoreStub.Events;

/// <summary>What happened to a path. Drift uses the four kinds of the metric contract (docs/metrics.md, The contract); commands and seeding add theirs.</summary>
public static class EventKinds
{
    public const string Created = "created";
    public const string Modified = "modified";
    public const string Deleted = "deleted";
    public const string Renamed = "renamed";
    public const string DirectoryCreated = "directory-created";
    public const string DirectoryRenamed = "directory-renamed";
    public const string DirectoryDeleted = "directory-deleted";
    public const string Seeded = "seeded";
}
