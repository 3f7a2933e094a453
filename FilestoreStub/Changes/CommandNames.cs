namespace FilestoreStub.Changes;

/// <summary>The file operations a command may request.</summary>
public static class CommandNames
{
    public const string Put = "put";
    public const string Mkdir = "mkdir";
    public const string Move = "move";
    public const string Delete = "delete";

    public static readonly IReadOnlyList<string> All = [Put, Mkdir, Move, Delete];
}
