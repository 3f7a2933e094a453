namespace FilestoreStub.Queues;

/// <summary>One line of the queue audit: who changed which queue, when, why, and the request that did it.</summary>
public sealed record QueueAuditEntry(string Id, DateTimeOffset At, string By, string Queue, string Action, string? Reason, string CorrelationId);
