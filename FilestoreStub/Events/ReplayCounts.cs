namespace FilestoreStub.Events;

/// <summary>What a replay did (or, in a dry run, would do) to one queue.</summary>
public sealed record ReplayCounts(long Replayed, long AlreadyPresent);
