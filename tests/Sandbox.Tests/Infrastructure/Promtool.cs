using System.Diagnostics;

namespace Sandbox.Tests.Infrastructure;

/// <summary>Runs the real <c>promtool</c> (Debian's prometheus package, 2.42), as CI and operators do.</summary>
public static class Promtool
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var run = await ProgramRun.RunAsync(new ProcessStartInfo("promtool", args), Waits.Process);
        return (run.ExitCode, run.Stdout + run.Stderr);
    }
}
