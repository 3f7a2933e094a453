using System.Globalization;
using Markdig;
using Markdig.Syntax;

namespace Sandbox.Tests.Infrastructure;

/// <summary>
/// One fenced code block of a Markdown document: its language (the info string's first word), the words after it,
/// its text, and the 1-based line of its opening fence in <see cref="Source"/>.
/// </summary>
public sealed record DocBlock(string Source, int Line, string Language, IReadOnlyList<string> Words, string Text)
{
    /// <summary>The languages whose blocks an operator would paste into a terminal; each must say whether it runs.</summary>
    public static readonly IReadOnlySet<string> ShellLanguages = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "bash", "sh", "shell", "console", "zsh",
    };

    public const string Runnable = "runnable";
    public const string Illustrative = "illustrative";
    public const string Expected = "expected";
    private const string ExitPrefix = "exit=";

    public string Location => $"{Source}:{Line}";

    public bool IsShell => ShellLanguages.Contains(Language);

    public bool IsRunnable => IsShell && Words.Contains(Runnable);

    public bool IsExpected => Words.Contains(Expected);

    /// <summary>The exit code a runnable block must end with: its <c>exit=N</c>, else 0.</summary>
    public int ExpectedExitCode => Words.Select(ExitCodeOf).FirstOrDefault(code => code is not null) ?? 0;

    /// <summary>The number in an <c>exit=N</c> word (0 to 255, what a process can exit with), or null for any other word.</summary>
    public static int? ExitCodeOf(string word) =>
        word.StartsWith(ExitPrefix, StringComparison.Ordinal)
        && int.TryParse(word.AsSpan(ExitPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
        && code <= 255
            ? code
            : null;
}

/// <summary>A runnable shell block and the <c>```text expected</c> block directly after it, if any.</summary>
public sealed record RunnableBlock(DocBlock Block, DocBlock? Expected)
{
    public string Location => Block.Location;
}

/// <summary>A Markdown document's fenced blocks, its runnable blocks in order, and every marker rule it breaks.</summary>
public sealed record MarkedDocument(string Source, IReadOnlyList<DocBlock> Blocks, IReadOnlyList<RunnableBlock> Runnable, IReadOnlyList<string> Violations);

/// <summary>
/// Reads the fenced code blocks of Markdown documents and checks the doc-test markers the runbook and the training
/// rely on (docs/filestore-cutover.md and docs/training.md explain them to their readers): every fenced block names
/// its language; every shell block is marked either <c>runnable</c> (the doc tests run it against the sandbox) or
/// <c>illustrative</c> (never run); a <c>```text expected</c> block follows a runnable block directly.
/// </summary>
public static class DocBlocks
{
    /// <summary>A document on disk, named in every message by its path relative to the repository root.</summary>
    public static MarkedDocument Read(string path) =>
        Parse(File.ReadAllText(path), Path.GetRelativePath(Repository.Root, path).Replace('\\', '/'));

    /// <summary>
    /// Every fenced code block of <paramref name="markdown"/> in document order (inside lists and quotes too), the
    /// runnable ones paired with their expected block, and every rule broken, each as <c>source:line: what is wrong</c>.
    /// </summary>
    public static MarkedDocument Parse(string markdown, string source)
    {
        var document = Markdown.Parse(markdown);
        var fences = document.Descendants<FencedCodeBlock>().ToList();
        var blocks = fences.ToDictionary(b => b, b => ToDocBlock(b, source));
        var violations = new List<string>();
        var runnable = new List<RunnableBlock>();
        foreach (var syntax in fences)
        {
            var block = blocks[syntax];
            violations.AddRange(Problems(block).Select(problem => $"{block.Location}: {problem}"));
            if (block.IsExpected && !(Sibling(syntax, -1) is FencedCodeBlock previous && blocks[previous].IsRunnable))
            {
                violations.Add($"{block.Location}: an expected block must come directly after a runnable shell block "
                    + "(nothing between them), or the output it describes is never checked");
            }

            if (block.IsRunnable)
            {
                var next = Sibling(syntax, +1) is FencedCodeBlock following ? blocks[following] : null;
                runnable.Add(new RunnableBlock(block, next is { IsExpected: true } ? next : null));
            }
        }

        // An indented code block cannot carry an info string, so a command in one would escape these rules.
        violations.AddRange(document.Descendants<CodeBlock>().Where(b => b is not FencedCodeBlock)
            .Select(b => $"{source}:{b.Line + 1}: an indented code block cannot be marked; use a fenced block with a language"));

        return new MarkedDocument(source, [.. fences.Select(f => blocks[f])], runnable, [.. violations.Order(ByLine.Instance)]);
    }

    private static IEnumerable<string> Problems(DocBlock block)
    {
        if (block.Language.Length == 0)
        {
            yield return "a fenced block needs a language after the fence (```bash runnable, ```text, ```promql, ...)";
            yield break;
        }

        if (block.IsExpected && !block.Language.Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"an expected block is written ```text expected, not ```{block.Language} expected";
        }

        if (!block.IsShell)
        {
            yield break;
        }

        var markers = block.Words.Count(w => w is DocBlock.Runnable or DocBlock.Illustrative);
        if (markers != 1)
        {
            yield return $"a {block.Language} block needs exactly one of `runnable` or `illustrative` after the language "
                + $"(it has {(markers == 0 ? "neither" : string.Join(" and ", block.Words.Where(w => w is DocBlock.Runnable or DocBlock.Illustrative)))})";
        }

        foreach (var word in block.Words.Where(w => w is not DocBlock.Runnable and not DocBlock.Illustrative && DocBlock.ExitCodeOf(w) is null))
        {
            yield return $"unknown word '{word}' in a {block.Language} block's info string (allowed: runnable, illustrative, exit=N with N from 0 to 255)";
        }

        var exits = block.Words.Count(w => DocBlock.ExitCodeOf(w) is not null);
        if (exits > 1)
        {
            yield return "a block gives exit=N more than once";
        }
        else if (exits == 1 && !block.IsRunnable)
        {
            yield return "exit=N only means something on a runnable block";
        }

        if (block.IsRunnable && block.Language.Equals("console", StringComparison.OrdinalIgnoreCase))
        {
            yield return "a console block mixes prompts and output and cannot run; write the commands as ```bash runnable "
                + "and their output as ```text expected";
        }
    }

    private static DocBlock ToDocBlock(FencedCodeBlock block, string source) => new(
        source,
        block.Line + 1,
        block.Info ?? string.Empty,
        [.. (block.Arguments ?? string.Empty).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)],
        block.Lines.ToString());

    // The block next to this one under the same parent (-1 before, +1 after): "directly after" means nothing between.
    private static Block? Sibling(Block block, int offset)
    {
        var index = block.Parent!.IndexOf(block) + offset;
        return index >= 0 && index < block.Parent.Count ? block.Parent[index] : null;
    }

    // Messages start "file:line:"; order them by line as a number, so line 9 comes before line 10.
    private sealed class ByLine : IComparer<string>
    {
        public static readonly ByLine Instance = new();

        public int Compare(string? x, string? y) => Line(x).CompareTo(Line(y));

        private static int Line(string? message)
        {
            var parts = (message ?? string.Empty).Split(':', 3);
            return parts.Length > 1 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var line) ? line : 0;
        }
    }
}
