namespace FilestoreStub.Commands;

/// <summary>A file operation on a service's managed root.</summary>
public sealed record FileCommand(string Name, string Path, string? To = null, byte[]? Content = null);
