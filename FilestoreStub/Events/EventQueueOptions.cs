using System.ComponentModel.DataAnnotations;

namespace FilestoreStub.Events;

/// <summary>Settings of the event queues (section <c>Events</c>).</summary>
public sealed class EventQueueOptions
{
    public const string SectionName = "Events";

    /// <summary>The largest export <c>POST /events/replay</c> accepts; a larger one gets 413 (split it by lines: each stands alone).</summary>
    [Range(1024, 1024 * 1024 * 1024)]
    public int MaxReplayBytes { get; set; } = 16 * 1024 * 1024;
}
