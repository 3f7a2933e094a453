namespace Sandbox.AppHost;

/// <summary>
/// Marks a resource the sandbox starts again when it crashes (exits with a non-zero code), as a container engine's
/// <c>restart: on-failure</c> would: after <see cref="FirstDelay"/>, doubling up to <see cref="MaxDelay"/> while it
/// keeps crashing, back to the first delay once it has run for <see cref="StableAfter"/>. A clean stop stays stopped.
/// </summary>
public sealed class RestartOnFailureAnnotation : IResourceAnnotation
{
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan StableAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The wait before the next start, after <paramref name="crashesInARow"/> crashes without a stable run between.</summary>
    public TimeSpan DelayAfter(int crashesInARow) =>
        TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks << Math.Min(crashesInARow - 1, 20)));
}
