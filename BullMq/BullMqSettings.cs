namespace BullMq;

/// <summary>
/// What <see cref="BullMqClientExtensions.AddBullMqClient"/> sets up, read from the <c>BullMq</c> configuration section
/// and then from the caller's delegate.
/// </summary>
public sealed class BullMqSettings
{
    /// <summary>The configuration section read before the delegate.</summary>
    public const string SectionName = "BullMq";

    /// <summary>The queues the service works with: each gets a <c>queue:&lt;name&gt;</c> health check.</summary>
    public IList<string> Queues { get; } = [];

    /// <summary>
    /// Whether this service publishes the <c>bullmq_*</c> gauges of its queues. One service per queue should: a second
    /// exporter of the same queue would double every series.
    /// </summary>
    public bool Monitor { get; set; }

    /// <summary>Waiting jobs above which a queue's health check says degraded.</summary>
    public long BacklogThreshold { get; set; } = 10_000;
}
