using System.Diagnostics;

namespace Sandbox.Testing;

/// <summary>What a program printed, and how it ended.</summary>
public sealed record ProgramResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs a program to its end with both its outputs captured and a deadline: past it the program and its children are
/// killed and the wait fails with what it had printed so far.
/// </summary>
public static class ProgramRun
{
    public static async Task<ProgramResult> RunAsync(ProcessStartInfo start, TimeSpan within)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(start.FileName)} did not end within {within}; so far:\n{await stdout}{await stderr}");
        }

        return new ProgramResult(process.ExitCode, await stdout, await stderr);
    }
}
