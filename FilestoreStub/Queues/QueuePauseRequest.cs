namespace FilestoreStub.Queues;

/// <summary>Body of a queue pause or resume, with the reason kept in the audit.</summary>
public sealed record QueuePauseRequest(bool? Paused, string? Reason);
