using System.ComponentModel.DataAnnotations;

namespace FilestoreStub.Watchers;

/// <summary>Settings of the drift watchers (section <c>Watchers</c>).</summary>
public sealed class WatcherOptions
{
    public const string SectionName = "Watchers";

    /// <summary>How often a watcher rescans its whole root; notifications only make it look sooner.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(5);
}
