using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Sandbox.Tests.Infrastructure;

/// <summary>How one runnable block went: its exit code (null when it was killed), its output, and why it failed, if it did.</summary>
public sealed record BlockResult(RunnableBlock Step, int? ExitCode, string Output, TimeSpan Duration, string? Failure)
{
    public int Line => Step.Block.Line;

    public string Location => Step.Location;

    public bool Passed => Failure is null;
}

/// <summary>
/// Runs a document's runnable blocks in order as one operator's shell session would: each block in
/// <c>/bin/bash</c> with <c>set -euo pipefail</c>, in the repository root, with the test's environment plus the given
/// variables, and with the variables exported and the functions defined by earlier blocks. Each block runs in its own
/// process group (so a timeout kills everything it started) with stdout and stderr in one stream, as a terminal shows
/// them. Background jobs a block leaves running stay up for the next blocks and are killed on dispose.
/// </summary>
public sealed class DocShell : IDisposable
{
    private readonly TempDirectory _work = new("docshell");
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly string _workingDirectory;
    private readonly List<int> _processGroups = [];
    private int _blocks;

    public DocShell(IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? blockTimeout = null, string? workingDirectory = null)
    {
        _environment = environment ?? new Dictionary<string, string?>();
        BlockTimeout = blockTimeout ?? Waits.DocBlock;
        _workingDirectory = workingDirectory ?? Repository.Root;
    }

    public TimeSpan BlockTimeout { get; }

    // Exported variables and functions, as `declare -px` and `declare -f` print them, read back at each block's start.
    private string StateFile => Path.Combine(_work.Path, "session.sh");

    /// <summary>Runs the blocks in order and stops at the first that fails (later blocks depend on it); the last result says why.</summary>
    public async Task<IReadOnlyList<BlockResult>> RunAllAsync(IEnumerable<RunnableBlock> steps, CancellationToken ct = default)
    {
        var results = new List<BlockResult>();
        foreach (var step in steps)
        {
            var result = await RunAsync(step, ct);
            results.Add(result);
            if (!result.Passed)
            {
                break;
            }
        }

        return results;
    }

    /// <summary>Runs one block in the session; fails it on the wrong exit code, on missing expected output, or on timeout.</summary>
    public async Task<BlockResult> RunAsync(RunnableBlock step, CancellationToken ct = default)
    {
        var block = step.Block;
        var folder = Directory.CreateDirectory(Path.Combine(_work.Path, $"block-{++_blocks:000}")).FullName;
        var script = Path.Combine(folder, Path.GetFileName(block.Source));
        var output = Path.Combine(folder, "output.txt");
        var processGroup = Path.Combine(folder, "pgid");

        // Blank lines before the block's text make bash's "line N" in its messages the line in the document.
        await File.WriteAllTextAsync(script, $"# {block.Location}\n" + new string('\n', block.Line - 1) + block.Text + "\n", ct);
        var wrapper = Path.Combine(folder, "wrapper.sh");
        await File.WriteAllTextAsync(wrapper, Wrapper(script, output, processGroup), ct);

        var start = new ProcessStartInfo("setsid", ["--wait", "/bin/bash", wrapper])
        {
            WorkingDirectory = _workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("setsid did not start (util-linux is needed).");
        process.StandardInput.Close(); // a command that reads stdin gets end-of-file, not a test that hangs
        var launcherOut = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var launcherErr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(BlockTimeout);
        string? killedBecause = null;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            killedBecause = ct.IsCancellationRequested ? "the run was cancelled" : $"it did not finish within {BlockTimeout}";
            await KillAsync(processGroup, process);
        }

        clock.Stop();
        var text = await launcherOut + await launcherErr + (File.Exists(output) ? await File.ReadAllTextAsync(output, CancellationToken.None) : string.Empty);
        int? exitCode = killedBecause is null ? process.ExitCode : null;
        if (File.Exists(processGroup) && int.TryParse(await File.ReadAllTextAsync(processGroup, CancellationToken.None), CultureInfo.InvariantCulture, out var group))
        {
            _processGroups.Add(group);
        }

        return new BlockResult(step, exitCode, text, clock.Elapsed, Judge(step, exitCode, text, killedBecause));
    }

    /// <summary>A readable log of a run: each block's place, exit code, time and output.</summary>
    public static string Log(IEnumerable<BlockResult> results)
    {
        var log = new StringBuilder();
        foreach (var result in results)
        {
            log.Append(CultureInfo.InvariantCulture,
                $"── {result.Location}  exit {result.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none (killed)"}  {result.Duration.TotalSeconds:0.0} s  {(result.Passed ? "passed" : "FAILED")}\n");
            foreach (var line in result.Output.TrimEnd().Split('\n').Where(_ => result.Output.Length > 0))
            {
                log.Append("   | ").Append(line.TrimEnd()).Append('\n');
            }

            if (!result.Passed)
            {
                log.Append(result.Failure).Append('\n');
            }
        }

        return log.ToString();
    }

    /// <summary>Kills what blocks left running in the background, then removes the session's files.</summary>
    public void Dispose()
    {
        foreach (var group in _processGroups)
        {
            KillGroup(group);
        }

        _work.Dispose();
    }

    private string Wrapper(string script, string output, string processGroup) => $$"""
        # DocShell: one runnable block in the document's session. setsid made this bash the leader of a new process group.
        exec >{{Quote(output)}} 2>&1 </dev/null
        echo "$$" >{{Quote(processGroup)}}
        __docshell_state={{Quote(StateFile)}}
        if [[ -f "$__docshell_state" ]]; then source "$__docshell_state"; fi
        # Read-only variables cannot be assigned again, and the working directory starts at the root in every block.
        __docshell_save() {
          { declare -px | grep -Ev '^declare -[^ ]*r[^ ]* |^declare -[^ ]* (PWD|OLDPWD|SHLVL|_)(=|$)' || true; declare -f; } >"$__docshell_state.new"
          mv "$__docshell_state.new" "$__docshell_state"
        }
        trap __docshell_save EXIT
        trap 'printf "docshell: exit %s from \"%s\" at %s line %s\n" "$?" "$BASH_COMMAND" "${BASH_SOURCE[0]##*/}" "$LINENO" >&2' ERR
        set -Eeuo pipefail
        source {{Quote(script)}}
        """ + "\n";

    private static string? Judge(RunnableBlock step, int? exitCode, string output, string? killedBecause)
    {
        var block = step.Block;
        if (killedBecause is not null)
        {
            return $"{block.Location}: {killedBecause}, so its process group was killed\n{ExpectedOutput.Tail(output)}";
        }

        if (exitCode != block.ExpectedExitCode)
        {
            return $"{block.Location}: the block exited {exitCode}, expected {block.ExpectedExitCode}"
                + (block.ExpectedExitCode == 0 ? string.Empty : $" (its exit={block.ExpectedExitCode})")
                + $"\n{ExpectedOutput.Tail(output)}";
        }

        var mismatch = step.Expected is { } expected ? ExpectedOutput.Mismatch(expected.Text, output) : null;
        return mismatch is null ? null : $"{block.Location}: its output does not match the expected block at {step.Expected!.Location}\n{mismatch}";
    }

    private static async Task KillAsync(string processGroupFile, Process process)
    {
        if (File.Exists(processGroupFile) && int.TryParse(await File.ReadAllTextAsync(processGroupFile), CultureInfo.InvariantCulture, out var group))
        {
            KillGroup(group);
        }

        process.Kill(entireProcessTree: true); // setsid itself, and anything started before the group was known
        using var exited = new CancellationTokenSource(Waits.Request);
        await process.WaitForExitAsync(exited.Token);
    }

    // Only groups this shell created: each block's bash led its own; a group with no process left is simply not found.
    private static void KillGroup(int group)
    {
        var kill = new ProcessStartInfo("kill", ["-KILL", "--", $"-{group}"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(kill);
        process?.WaitForExit(Waits.Request);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
