namespace FilestoreStub.Policies;

/// <summary>Thrown when a policy was applied by someone else since the caller read it.</summary>
public sealed class PolicyConflictException(int expected, int current)
    : Exception($"The policy is at version {current}, not {expected}; read it again and retry.")
{
    public int Current { get; } = current;
}
