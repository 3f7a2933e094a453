namespace BullMq;

/// <summary>
/// The sorted-set score encodings BullMQ uses (the Lua scripts compute the same): delayed jobs by due time with a
/// 12-bit sequence, prioritized jobs by priority with a 32-bit insertion counter.
/// </summary>
public static class Scores
{
    /// <summary>Jobs due in the same millisecond keep their order for up to this many jobs.</summary>
    public const long DelayedSequenceSpan = 0x1000;

    /// <summary>Jobs of the same priority keep their insertion order within this counter range.</summary>
    public const long PriorityCounterSpan = 0x100000000;

    /// <summary>The largest priority BullMQ accepts.</summary>
    public const int MaxPriority = 2_097_152;

    /// <summary>Score of a delayed job due at <paramref name="dueAtMs"/>, the <paramref name="sequence"/>-th due then.</summary>
    public static double Delayed(long dueAtMs, long sequence = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dueAtMs);
        return dueAtMs * DelayedSequenceSpan + Math.Clamp(sequence, 0, DelayedSequenceSpan - 1);
    }

    /// <summary>Due time in ms of a delayed job's score.</summary>
    public static long DueAt(double delayedScore) => (long)Math.Floor(delayedScore / DelayedSequenceSpan);

    /// <summary>Score of a prioritized job with <paramref name="priority"/> (1 first) added as number <paramref name="counter"/>.</summary>
    public static double Prioritized(int priority, long counter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(priority, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priority, MaxPriority);
        return priority * (double)PriorityCounterSpan + counter % PriorityCounterSpan;
    }

    /// <summary>The priority encoded in a prioritized job's score.</summary>
    public static int PriorityOf(double prioritizedScore) => (int)Math.Floor(prioritizedScore / PriorityCounterSpan);
}
