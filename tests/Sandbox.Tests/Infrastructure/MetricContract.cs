using System.Text.RegularExpressions;

namespace Sandbox.Tests.Infrastructure;

/// <summary>
/// The labels of every metric in docs/metrics.md's contract table, read from the table itself so the linter's knowledge
/// of which metric carries <c>env</c> or <c>service</c> is not kept a second time. A histogram's row stands for its
/// <c>_bucket</c>, <c>_count</c> and <c>_sum</c> series.
/// </summary>
public static partial class MetricContract
{
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlySet<string>>> FromDocs =
        new(() => Parse(File.ReadAllText(Repository.PathOf("docs", "metrics.md"))));

    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Labels => FromDocs.Value;

    /// <summary>
    /// The table under "## The contract": a labels cell lists labels separated by <c>;</c>, each either
    /// <c>`label`: values</c> or a comma-separated run of <c>`label`</c>s ("none" for no label).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Parse(string markdown)
    {
        var section = markdown[markdown.IndexOf("## The contract", StringComparison.Ordinal)..];
        var end = section.IndexOf("\n## ", StringComparison.Ordinal);
        var labels = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var row in (end < 0 ? section : section[..end]).Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = row.Split('|');
            var names = Quoted().Matches(cells[1]).Select(m => m.Groups["text"].Value).ToList();
            var rowLabels = cells[3].Split(';').SelectMany(part => LabelWithValues().Match(part) is { Success: true } named
                ? [named.Groups["label"].Value]
                : Quoted().Matches(part).Select(m => m.Groups["text"].Value).Where(t => Identifier().IsMatch(t))).ToHashSet(StringComparer.Ordinal);
            var suffixes = cells[2].TrimStart().StartsWith("histogram", StringComparison.Ordinal) ? new[] { "_bucket", "_count", "_sum" } : [string.Empty];
            foreach (var name in names.SelectMany(n => suffixes.Select(s => n + s)))
            {
                labels[name] = rowLabels;
            }
        }

        return labels;
    }

    [GeneratedRegex("`(?<text>[^`]+)`")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"^\s*`(?<label>[a-z_]+)`:")]
    private static partial Regex LabelWithValues();

    [GeneratedRegex("^[a-z_]+$")]
    private static partial Regex Identifier();
}
