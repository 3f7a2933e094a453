namespace FilestoreStub.Events;

/// <summary>A replay stopped part-way because the queues refused a job; <see cref="SoFar"/> counts what was done before.</summary>
public sealed class ReplayInterruptedException(ReplayReport soFar, int line, Exception inner)
    : Exception($"The replay stopped at line {line}: {inner.Message}", inner)
{
    public ReplayReport SoFar { get; } = soFar;
}
