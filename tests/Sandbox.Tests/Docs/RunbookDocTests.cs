using Sandbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sandbox.Tests.Docs;

/// <summary>The cutover runbook run as written, on a sandbox of its own so it runs beside the training.</summary>
[Collection(RunbookSandbox.Name)]
[Trait("Category", "Live")]
public sealed class RunbookDocTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    [Fact]
    public Task The_cutover_runbook_runs_against_the_sandbox_as_written() =>
        DocumentRun.RunAsync(sandbox, output, "docs", "filestore-cutover.md");
}

/// <summary>The training run as written, on a sandbox of its own: its exercises reset the SLO history and drill faults.</summary>
[Collection(TrainingSandbox.Name)]
[Trait("Category", "Live")]
public sealed class TrainingDocTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    [Fact]
    public Task The_training_runs_against_the_sandbox_as_written() =>
        DocumentRun.RunAsync(sandbox, output, "docs", "training.md");
}

/// <summary>
/// A document run as written: every runnable block in order, in one shell session, against the running sandbox, each
/// with its exit code and expected output checked. A document that drifts from the tools fails here before an operator
/// follows it.
/// </summary>
internal static class DocumentRun
{
    public static async Task RunAsync(SandboxFixture sandbox, ITestOutputHelper output, params string[] path)
    {
        var file = Repository.PathOf(path);
        Assert.True(File.Exists(file), $"{string.Join('/', path)} is missing; the doc tests run it against the sandbox.");
        var document = DocBlocks.Read(file);

        // An unmarked block would be skipped silently here, so the markers must hold before anything runs.
        Assert.True(document.Violations.Count == 0, $"fix the markers first:\n{string.Join('\n', document.Violations)}");
        Assert.True(document.Runnable.Count > 0, $"{document.Source} has no runnable block, so nothing proves it works; mark its commands ```bash runnable.");

        using var shell = new DocShell(new Dictionary<string, string?> { ["SANDBOX_DIR"] = sandbox.StateDirectory });
        var results = await shell.RunAllAsync(document.Runnable);
        output.WriteLine($"{document.Source}: {results.Count(r => r.Passed)} of {document.Runnable.Count} runnable blocks passed (SANDBOX_DIR={sandbox.StateDirectory})");
        output.WriteLine(DocShell.Log(results));

        var failed = results.FirstOrDefault(r => !r.Passed);
        Assert.True(failed is null, $"{failed?.Failure}\n(blocks after {failed?.Location} did not run; the test output has the whole log)");
        Assert.Equal(document.Runnable.Count, results.Count);
    }
}
