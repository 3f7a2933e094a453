namespace BullMq;

/// <summary>The queue is being drained for a rollback and accepts no new jobs.</summary>
public sealed class QueueDrainingException(string queue)
    : Exception($"Queue '{queue}' is being drained and accepts no new jobs.")
{
    /// <summary>The queue that refused the job.</summary>
    public string Queue { get; } = queue;
}
