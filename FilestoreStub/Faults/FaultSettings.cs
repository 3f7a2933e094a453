namespace FilestoreStub.Faults;

/// <summary>The faults a trainer injects for a drill. All zero (and no storm) is a healthy stub.</summary>
public sealed record FaultSettings(double CommandFailureRate, int AddedLatencyMs, DriftStorm? DriftStorm)
{
    public static FaultSettings None { get; } = new(0, 0, null);

    public bool Any => CommandFailureRate > 0 || AddedLatencyMs > 0 || DriftStorm is not null;
}
