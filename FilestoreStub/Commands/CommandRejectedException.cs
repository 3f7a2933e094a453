namespace FilestoreStub.Commands;

/// <summary>A command refused for a reason the caller can act on; nothing was changed.</summary>
public sealed class CommandRejectedException(int status, string type, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Type { get; } = type;
}
