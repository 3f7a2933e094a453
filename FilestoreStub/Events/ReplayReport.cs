namespace FilestoreStub.Events;

/// <summary>
/// What a replay did: <see cref="Lines"/> event lines read (blank lines not counted), how many jobs were added again
/// and how many were still in their queue, in all and per queue (both event queues always listed).
/// </summary>
public sealed record ReplayReport(int Lines, long Replayed, long AlreadyPresent, bool DryRun, IReadOnlyDictionary<string, ReplayCounts> Queues);
