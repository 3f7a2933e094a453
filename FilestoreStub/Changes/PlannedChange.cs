namespace FilestoreStub.Changes;

/// <summary>One change a command makes (or, planned in shadow mode, would make).</summary>
public sealed record PlannedChange(string Kind, string Path, string? PreviousPath = null, long? Size = null, string? Sha256 = null)
{
    /// <summary>The kind of a command that changes nothing (a mkdir of a folder that exists); it publishes no event.</summary>
    public const string Unchanged = "unchanged";
}
