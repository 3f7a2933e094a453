namespace Runbook.Steps;

/// <summary>Hears a procedure as it runs: the CLI draws it, the dashboard commands summarise it, tests log it.</summary>
public interface IRunbookObserver
{
    void StepStarted(string procedure, string name, string what);

    /// <summary>A step that waits says how the wait goes (what it is waiting for, how long so far).</summary>
    void StepProgress(string name, string status);

    void StepFinished(StepResult result);
}

/// <summary>Keeps the lines a procedure printed, for callers with nowhere to draw (the dashboard commands, tests).</summary>
public sealed class TextObserver : IRunbookObserver
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public void StepStarted(string procedure, string name, string what)
    {
    }

    public void StepProgress(string name, string status)
    {
    }

    public void StepFinished(StepResult result)
    {
        lock (_lines)
        {
            _lines.Add($"{(result.Outcome == StepOutcome.Passed ? "ok" : "FAILED")} {result.Step}: {result.Evidence}");
        }
    }
}
