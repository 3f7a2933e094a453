using Runbook.Steps;
using Spectre.Console;

namespace RunbookCli;

/// <summary>
/// Draws a procedure as it runs: each step's result on one line with its evidence, and a wait's progress (every few
/// seconds on a terminal, every 15 s when the output is a file or a pipe, so logs stay readable).
/// </summary>
internal sealed class ConsoleObserver(IAnsiConsole console) : IRunbookObserver
{
    private readonly Dictionary<string, DateTimeOffset> _lastProgress = [];

    public List<StepResult> Results { get; } = [];

    public void StepStarted(string procedure, string name, string what) =>
        console.MarkupLineInterpolated($"[grey]…[/] [bold]{name}[/] [grey]{what}[/]");

    public void StepProgress(string name, string status)
    {
        var every = console.Profile.Capabilities.Interactive ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(15);
        var now = DateTimeOffset.UtcNow;
        lock (_lastProgress)
        {
            if (_lastProgress.TryGetValue(name, out var last) && now - last < every)
            {
                return;
            }

            _lastProgress[name] = now;
        }

        console.MarkupLineInterpolated($"  [grey]{status}[/]");
    }

    public void StepFinished(StepResult result)
    {
        lock (Results)
        {
            Results.Add(result);
        }

        if (result.Outcome == StepOutcome.Passed)
        {
            console.MarkupLineInterpolated($"[green]✓[/] [bold]{result.Step}[/] {result.Evidence}");
        }
        else
        {
            console.MarkupLineInterpolated($"[red]✗ {result.Step}[/] {result.Evidence}");
        }
    }
}
