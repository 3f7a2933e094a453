using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Docs;

/// <summary>
/// The doc-test markers: every fenced block names its language and every shell block says whether the doc tests run
/// it, so nothing an operator is told to paste goes unchecked by accident. No sandbox needed.
/// </summary>
public sealed class DocBlockRulesTests
{
    [Fact]
    public void Every_code_block_in_the_docs_and_the_readme_is_marked()
    {
        var documents = Directory.EnumerateFiles(Repository.PathOf("docs"), "*.md", SearchOption.AllDirectories)
            .Where(path => !Path.GetRelativePath(Repository.Root, path).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .Append(Repository.PathOf("README.md"));

        var violations = documents.SelectMany(path => DocBlocks.Read(path).Violations).ToList();

        Assert.True(violations.Count == 0, $"{violations.Count} code blocks break the doc-test markers:\n{string.Join('\n', violations)}");
    }

    [Fact]
    public void A_properly_marked_document_has_no_violations_and_pairs_each_runnable_block_with_its_expected_output()
    {
        const string Markdown = """
            # Steps

            ```bash runnable
            runbook status
            ```
            ```text expected
            Filestore … healthy
            ```

            ```bash illustrative
            runbook cutover production billing
            ```

            1. In a list:

               ```sh runnable exit=1
               runbook checklist staging
               ```

            ```promql
            sum(rate(filestore_commands_total[5m]))
            ```
            """;

        var document = DocBlocks.Parse(Markdown, "sample.md");

        Assert.Empty(document.Violations);
        Assert.Equal(["bash", "text", "bash", "sh", "promql"], document.Blocks.Select(b => b.Language));
        Assert.Collection(document.Runnable,
            first =>
            {
                Assert.Equal(3, first.Block.Line);
                Assert.Equal("runbook status", first.Block.Text);
                Assert.Equal(0, first.Block.ExpectedExitCode);
                Assert.Equal(6, first.Expected?.Line);
                Assert.Equal("Filestore … healthy", first.Expected?.Text);
            },
            second =>
            {
                Assert.Equal(16, second.Block.Line);
                Assert.Equal("runbook checklist staging", second.Block.Text);
                Assert.Equal(1, second.Block.ExpectedExitCode);
                Assert.Null(second.Expected);
            });
    }

    [Theory]
    [InlineData("""
        Text.

        ```bash
        runbook status
        ```
        """, "sample.md:3: a bash block needs exactly one of `runnable` or `illustrative` after the language (it has neither)")]
    [InlineData("""
        ```
        runbook status
        ```
        """, "sample.md:1: a fenced block needs a language")]
    [InlineData("""
        ```bash illustrative
        runbook status
        ```
        ```text expected
        Filestore … healthy
        ```
        """, "sample.md:4: an expected block must come directly after a runnable shell block")]
    [InlineData("""
        ```bash runnable
        runbook status
        ```
        It prints:
        ```text expected
        Filestore … healthy
        ```
        """, "sample.md:5: an expected block must come directly after a runnable shell block")]
    [InlineData("""
        ```shell runnable illustrative
        runbook status
        ```
        """, "sample.md:1: a shell block needs exactly one of `runnable` or `illustrative` after the language (it has runnable and illustrative)")]
    [InlineData("""
        ```zsh runnable slow
        runbook status
        ```
        """, "sample.md:1: unknown word 'slow' in a zsh block's info string")]
    [InlineData("""
        ```bash runnable exit=300
        runbook status
        ```
        """, "sample.md:1: unknown word 'exit=300'")]
    [InlineData("""
        ```bash illustrative exit=1
        runbook status
        ```
        """, "sample.md:1: exit=N only means something on a runnable block")]
    [InlineData("""
        ```console runnable
        $ runbook status
        ```
        """, "sample.md:1: a console block mixes prompts and output and cannot run")]
    [InlineData("""
        ```bash runnable
        runbook status
        ```
        ```json expected
        {}
        ```
        """, "sample.md:4: an expected block is written ```text expected, not ```json expected")]
    [InlineData("""
        Indented:

            runbook status
        """, "sample.md:3: an indented code block cannot be marked")]
    public void A_block_that_breaks_a_rule_is_reported_with_its_file_and_line(string markdown, string violation)
    {
        var violations = DocBlocks.Parse(markdown, "sample.md").Violations;

        Assert.Contains(violations, v => v.StartsWith(violation, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_violation_of_a_document_is_reported_in_line_order_not_just_the_first()
    {
        const string Markdown = """
            ```bash
            one
            ```

            ```
            two
            ```

            ```sh runnable
            three
            ```

            ```console
            four
            ```
            """;

        var violations = DocBlocks.Parse(Markdown, "sample.md").Violations;

        Assert.Equal(["sample.md:1", "sample.md:5", "sample.md:13"], violations.Select(v => string.Join(':', v.Split(':').Take(2))));
    }
}
