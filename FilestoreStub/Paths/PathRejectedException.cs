namespace FilestoreStub.Paths;

/// <summary>Why a path was refused; the code is stable (it becomes the problem details' <c>reason</c>).</summary>
public sealed class PathRejectedException(string reason, string detail) : Exception(detail)
{
    public string Reason { get; } = reason;
}
