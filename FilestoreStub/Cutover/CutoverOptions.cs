using System.ComponentModel.DataAnnotations;

namespace FilestoreStub.Cutover;

/// <summary>Settings of the cutover gates (section <c>Cutover</c>).</summary>
public sealed class CutoverOptions
{
    public const string SectionName = "Cutover";

    /// <summary>Shadow commands needed before the shadow SLIs mean anything.</summary>
    [Range(1, 1_000_000)]
    public int MinShadowCommands { get; set; } = 20;

    /// <summary>The objective both shadow SLIs must meet (the command success rate SLO: 99.5 %).</summary>
    [Range(0.0, 1.0)]
    public double ShadowObjective { get; set; } = 0.995;

    /// <summary>How long a rollback waits for the consumers to empty the queues before exporting what is left.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DrainDeadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where rollback drains write their JSON-lines exports; default <c>&lt;Filestore:DataDirectory&gt;/exports</c>.</summary>
    public string? ExportDirectory { get; set; }
}
