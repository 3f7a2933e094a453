namespace FilestoreStub.Queues;

/// <summary>What was done to a queue: an operator's pause or resume, or a rollback's drain starting and finishing.</summary>
public static class QueueActions
{
    public const string Paused = "paused";
    public const string Resumed = "resumed";
    public const string DrainStarted = "drain-started";
    public const string DrainFinished = "drain-finished";
}
