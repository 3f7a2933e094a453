using System.ComponentModel.DataAnnotations;

namespace FilestoreStub.Commands;

/// <summary>Settings of the command path (section <c>Commands</c>).</summary>
public sealed class CommandOptions
{
    public const string SectionName = "Commands";

    /// <summary>The largest command body accepted; larger ones get 413. Content travels base64 inside it.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;
}
