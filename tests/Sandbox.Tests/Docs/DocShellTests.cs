using System.Diagnostics;
using Sandbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sandbox.Tests.Docs;

/// <summary>The session the runnable blocks run in, exercised with small documents of its own (no sandbox).</summary>
public sealed class DocShellTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_variable_exported_in_one_block_is_seen_in_the_next_and_a_plain_one_is_not()
    {
        var results = await RunAsync("""
            ```bash runnable
            export GREETING=hello
            export QUOTED="it's \"quoted\", \$literal
            and on two lines"
            plain=kept-only-in-this-block
            ```

            ```bash runnable
            echo "greeting=$GREETING plain=${plain:-unset}"
            echo "$QUOTED"
            ```
            ```text expected
            greeting=hello plain=unset
            it's "quoted", $literal
            and on two lines
            ```
            """);

        Assert.All(results, r => Assert.True(r.Passed, r.Failure));
        Assert.Equal(2, results.Count);
    }

    [Fact]
    public async Task A_function_defined_in_one_block_can_be_called_in_the_next()
    {
        var results = await RunAsync("""
            ```bash runnable
            greet() { echo "hello, $1"; }
            ```

            ```bash runnable
            greet operator
            ```
            ```text expected
            hello, operator
            ```
            """);

        Assert.All(results, r => Assert.True(r.Passed, r.Failure));
    }

    [Fact]
    public async Task Each_block_starts_in_the_repository_root_with_the_given_variables()
    {
        var results = await RunAsync("""
            ```bash runnable
            cd /
            ```

            ```bash runnable
            pwd
            echo "sandbox=$SANDBOX_DIR"
            ```
            ```text expected
            …
            sandbox=/somewhere/state
            ```
            """, new Dictionary<string, string?> { ["SANDBOX_DIR"] = "/somewhere/state" });

        Assert.All(results, r => Assert.True(r.Passed, r.Failure));
        Assert.Equal(Repository.Root, results[1].Output.Split('\n')[0]);
    }

    [Fact]
    public async Task A_failing_command_fails_its_block_naming_the_block_and_the_line_and_stops_the_run()
    {
        var results = await RunAsync("""
            Intro.

            ```bash runnable
            echo before
            false
            echo after
            ```

            ```bash runnable
            echo never
            ```
            """);

        var failed = Assert.Single(results);
        Assert.False(failed.Passed);
        Assert.Equal(1, failed.ExitCode);
        Assert.StartsWith("sample.md:3: the block exited 1, expected 0", failed.Failure, StringComparison.Ordinal);
        Assert.Contains("docshell: exit 1 from \"false\" at sample.md line 5", failed.Failure, StringComparison.Ordinal);
        Assert.DoesNotContain("after", failed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unset_variable_and_a_failure_inside_a_pipeline_fail_the_block()
    {
        var unset = await RunAsync("""
            ```bash runnable
            echo "$NOT_SET_ANYWHERE"
            ```
            """);
        var pipeline = await RunAsync("""
            ```bash runnable
            false | cat
            ```
            """);

        Assert.Contains("NOT_SET_ANYWHERE: unbound variable", Assert.Single(unset).Output, StringComparison.Ordinal);
        Assert.False(unset[0].Passed);
        Assert.False(Assert.Single(pipeline).Passed);
    }

    [Fact]
    public async Task An_exit_code_in_the_info_string_is_required_exactly()
    {
        var three = await RunAsync("""
            ```bash runnable exit=3
            echo "checks failed"
            exit 3
            ```
            """);
        var zero = await RunAsync("""
            ```bash runnable exit=3
            true
            ```
            """);

        Assert.True(Assert.Single(three).Passed, three[0].Failure);
        Assert.Equal(3, three[0].ExitCode);
        Assert.False(Assert.Single(zero).Passed);
        Assert.StartsWith("sample.md:1: the block exited 0, expected 3 (its exit=3)", zero[0].Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_that_misses_an_expected_line_fails_the_block_and_names_the_line()
    {
        var results = await RunAsync("""
            ```bash runnable
            echo "Filestore http://localhost:1 degraded"
            ```
            ```text expected
            Filestore … healthy
            ```
            """);

        var failed = Assert.Single(results);
        Assert.Equal(0, failed.ExitCode);
        Assert.StartsWith("sample.md:1: its output does not match the expected block at sample.md:4", failed.Failure, StringComparison.Ordinal);
        Assert.Contains("expected line not found: \"Filestore … healthy\"", failed.Failure, StringComparison.Ordinal);
        Assert.Contains("1 | Filestore http://localhost:1 degraded", failed.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Standard_output_and_error_arrive_interleaved_as_a_terminal_shows_them()
    {
        var results = await RunAsync("""
            ```bash runnable
            echo out-1
            echo err-1 >&2
            echo out-2
            ```
            """);

        Assert.Equal("out-1\nerr-1\nout-2\n", Assert.Single(results).Output);
    }

    [Fact]
    public async Task A_command_reading_standard_input_gets_end_of_file_instead_of_hanging()
    {
        var results = await RunAsync("""
            ```bash runnable
            cat
            echo read-nothing
            ```
            """, timeout: TimeSpan.FromSeconds(20));

        Assert.True(Assert.Single(results).Passed, results[0].Failure);
    }

    [Fact]
    public async Task A_block_that_outlives_its_timeout_is_killed_with_everything_it_started()
    {
        using var scratch = new TempDirectory("docshell-timeout");
        var pidFile = Path.Combine(scratch.Path, "sleep.pid");
        var clock = Stopwatch.StartNew();

        var results = await RunAsync("""
            ```bash runnable
            echo started
            sleep 600 &
            echo "$!" >"$PID_FILE"
            wait
            ```
            """, new Dictionary<string, string?> { ["PID_FILE"] = pidFile }, TimeSpan.FromSeconds(5));

        var killed = Assert.Single(results);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the run took {clock.Elapsed}");
        Assert.Null(killed.ExitCode);
        Assert.StartsWith("sample.md:1: it did not finish within 00:00:05, so its process group was killed", killed.Failure, StringComparison.Ordinal);
        Assert.Contains("1 | started", killed.Failure, StringComparison.Ordinal);
        var sleep = int.Parse(await File.ReadAllTextAsync(pidFile), System.Globalization.CultureInfo.InvariantCulture);
        await Waits.UntilAsync("the sleep to be gone", TimeSpan.FromSeconds(10), _ =>
            Task.FromResult<(object?, string)>(Gone(sleep) ? (new object(), "gone") : (null, $"process {sleep} still runs")));
    }

    [Fact]
    public async Task The_log_shows_each_block_with_its_place_exit_code_and_output()
    {
        var results = await RunAsync("""
            ```bash runnable
            echo first
            ```

            ```bash runnable exit=2
            echo second; exit 2
            ```
            """);

        var log = DocShell.Log(results);

        Assert.Matches(@"── sample\.md:1  exit 0  \d+\.\d s  passed\n   \| first\n── sample\.md:5  exit 2  \d+\.\d s  passed\n   \| second\n", log);
    }

    private async Task<IReadOnlyList<BlockResult>> RunAsync(string markdown, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var document = DocBlocks.Parse(markdown, "sample.md");
        Assert.Empty(document.Violations);
        using var shell = new DocShell(environment, timeout ?? TimeSpan.FromSeconds(30));
        var results = await shell.RunAllAsync(document.Runnable);
        output.WriteLine(DocShell.Log(results));
        return results;
    }

    // Killed and reaped, or at least a zombie waiting for its new parent to reap it.
    private static bool Gone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return true;
        }
    }
}
