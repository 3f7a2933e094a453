using System.Diagnostics;
using Sandbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sandbox.Tests.Startup;

/// <summary>
/// CI's short run of the load and soak generator (<c>tests/benchmarks/Soak</c>, whose 30-minute run is in
/// docs/performance.md) against the running sandbox: steady commands to staging/reports, no error, then both
/// consumers have applied every accepted event and their stores match the disk.
/// </summary>
[Collection(RunningSandbox.Name)]
public sealed class ShortSoakTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    private static readonly TimeSpan RunWithin = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Twenty_seconds_at_50_commands_a_second_has_no_error_and_both_consumers_apply_every_accepted_event()
    {
        var soak = Repository.PathOf("tests", "benchmarks", "Soak", "bin", RunbookCli.Configuration, "net10.0", "Soak.dll");
        Assert.True(File.Exists(soak), $"The soak generator is not built at {soak}: building the tests builds it.");
        var start = new ProcessStartInfo("dotnet",
            [soak, "--rate", "50", "--seconds", "20", "--warmup", "5", "--env", "staging", "--service", "reports",
             "--endpoints", Path.Combine(sandbox.StateDirectory, "endpoints.json")])
        {
            WorkingDirectory = Repository.Root,
        };
        var run = await ProgramRun.RunAsync(start, RunWithin);

        var report = run.Stdout + run.Stderr;
        output.WriteLine(report);
        Assert.True(run.ExitCode == 0, report);
        Assert.Contains("result: no errors, nothing lost", report, StringComparison.Ordinal);
        Assert.Matches(@"metastore: \d+ applied of \d+ accepted, warm-up included \(lost 0\)", report);
        Assert.Matches(@"timestore: \d+ applied of \d+ accepted, warm-up included \(lost 0\)", report);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(report, "store consistent with the disk"));
        Assert.Matches(@"filestore: FilestoreStub\s+\d+\s+\d+", report);
    }
}
