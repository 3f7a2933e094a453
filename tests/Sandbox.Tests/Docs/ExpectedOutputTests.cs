using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Docs;

/// <summary>How a <c>```text expected</c> block is matched against a runnable block's output.</summary>
public sealed class ExpectedOutputTests
{
    private const string Status = """
        Environment: sandbox
        Filestore    http://localhost:41234 healthy
        Metastore    http://localhost:41235 healthy
        Timestore    http://localhost:41236 degraded
        3 services, 1 degraded
        """;

    [Fact]
    public void Expected_lines_are_found_in_order_with_other_output_lines_between_them()
    {
        Assert.Null(ExpectedOutput.Mismatch("Environment: sandbox\n3 services, 1 degraded", Status));
    }

    [Fact]
    public void Expected_lines_out_of_order_fail_and_the_message_says_the_order_differs()
    {
        var mismatch = ExpectedOutput.Mismatch("3 services, 1 degraded\nEnvironment: sandbox", Status);

        Assert.NotNull(mismatch);
        Assert.Contains("expected line not found: \"Environment: sandbox\"", mismatch, StringComparison.Ordinal);
        Assert.Contains("matches output line 1, before an earlier expected line", mismatch, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ellipsis_stands_for_any_text_within_one_line()
    {
        Assert.Null(ExpectedOutput.Mismatch("Filestore … healthy\nTimestore …\n…, 1 degraded", Status));
        Assert.NotNull(ExpectedOutput.Mismatch("Timestore … healthy", Status));
        Assert.NotNull(ExpectedOutput.Mismatch("Environment: … degraded", Status)); // not across lines
    }

    [Fact]
    public void An_expected_line_matches_a_whole_output_line_literally_and_case_sensitively()
    {
        Assert.NotNull(ExpectedOutput.Mismatch("healthy", Status));
        Assert.NotNull(ExpectedOutput.Mismatch("environment: sandbox", Status));
        Assert.NotNull(ExpectedOutput.Mismatch("Environment. sandbox", Status)); // a dot is a dot, not a regex
        Assert.Null(ExpectedOutput.Mismatch("[ok] (1/1) $HOME *", "[ok] (1/1) $HOME *"));
    }

    [Fact]
    public void Trailing_whitespace_blank_expected_lines_and_carriage_returns_do_not_matter()
    {
        Assert.Null(ExpectedOutput.Mismatch("\nEnvironment: sandbox   \n\n   \n3 services, 1 degraded\n", Status.Replace("\n", "  \r\n", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_missing_line_is_named_with_the_last_thirty_output_lines()
    {
        var output = string.Join('\n', Enumerable.Range(1, 40).Select(i => $"step {i} done"));

        var mismatch = ExpectedOutput.Mismatch("step 2 done\nstep 41 done", output);

        Assert.NotNull(mismatch);
        Assert.StartsWith("expected line not found: \"step 41 done\"", mismatch, StringComparison.Ordinal);
        Assert.Contains("\"step 2 done\" at output line 2", mismatch, StringComparison.Ordinal);
        Assert.Contains("last 30 of 40 output lines", mismatch, StringComparison.Ordinal);
        Assert.Contains("   11 | step 11 done", mismatch, StringComparison.Ordinal);
        Assert.Contains("   40 | step 40 done", mismatch, StringComparison.Ordinal);
        Assert.DoesNotContain("step 10 done", mismatch, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_output_is_said_to_be_empty()
    {
        Assert.Contains("(no output at all)", ExpectedOutput.Mismatch("anything", string.Empty), StringComparison.Ordinal);
    }
}
