using System.Text.RegularExpressions;

namespace Sandbox.Tests.Infrastructure;

/// <summary>
/// The labels of every metric in docs/metrics.md's contract tables, read from the tables themselves so the linter's
/// knowledge of which metric carries <c>env</c> or <c>service</c> is not kept a second time. A histogram's row stands
/// for its <c>_bucket</c>, <c>_count</c> and <c>_sum</c> series.
/// </summary>
public static partial class MetricContract
{
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlySet<string>>> FromDocs =
        new(() => Parse(File.ReadAllText(Repository.PathOf("docs", "metrics.md"))));

    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Labels => FromDocs.Value;

    /// <summary>
    /// The tables under "## The contract". A column headed "labels" lists a metric's labels; a column headed
    /// <c>`label="value"`</c> lists the labels of its series with that value, kept under their selector
    /// <c>name{label="value"}</c> (the <c>slo:*</c> series carry the labels of their SLO). A labels cell lists labels
    /// separated by <c>;</c>, each either <c>`label`: values</c> or a comma-separated run of <c>`label`</c>s ("none"
    /// for no label).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Parse(string markdown)
    {
        var section = markdown[markdown.IndexOf("## The contract", StringComparison.Ordinal)..];
        var end = section.IndexOf("\n## ", StringComparison.Ordinal);
        var labels = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var selectors = new Dictionary<int, string>();
        foreach (var row in (end < 0 ? section : section[..end]).Split('\n').Where(l => l.StartsWith('|') && !l.StartsWith("|---", StringComparison.Ordinal)))
        {
            var cells = row.Split('|');
            if (!row.StartsWith("| `", StringComparison.Ordinal))
            {
                // A header: which columns hold labels, and of which series.
                selectors = cells.Index()
                    .Where(c => c.Item.Trim().StartsWith("labels", StringComparison.Ordinal) || SeriesValue().IsMatch(c.Item))
                    .ToDictionary(c => c.Index, c => SeriesValue().Match(c.Item) is { Success: true } value ? $"{{{value.Groups["selector"].Value}}}" : string.Empty);
                continue;
            }

            var names = Quoted().Matches(cells[1]).Select(m => m.Groups["text"].Value).ToList();
            var suffixes = cells[2].TrimStart().StartsWith("histogram", StringComparison.Ordinal) ? new[] { "_bucket", "_count", "_sum" } : [string.Empty];
            foreach (var (column, selector) in selectors)
            {
                var columnLabels = LabelsIn(cells[column]);
                foreach (var name in names.SelectMany(n => suffixes.Select(s => n + s)))
                {
                    labels[name + selector] = columnLabels;
                }
            }
        }

        return labels;
    }

    private static HashSet<string> LabelsIn(string cell) =>
        cell.Split(';').SelectMany(part => LabelWithValues().Match(part) is { Success: true } named
            ? [named.Groups["label"].Value]
            : Quoted().Matches(part).Select(m => m.Groups["text"].Value).Where(t => Identifier().IsMatch(t))).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^\s*`(?<selector>[a-z_]+=""[^""]+"")`\s*$")]
    private static partial Regex SeriesValue();

    [GeneratedRegex("`(?<text>[^`]+)`")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"^\s*`(?<label>[a-z_]+)`:")]
    private static partial Regex LabelWithValues();

    [GeneratedRegex("^[a-z_]+$")]
    private static partial Regex Identifier();
}
