using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sandbox.Tests.Infrastructure;

/// <summary>
/// Checks a runnable block's output against its <c>```text expected</c> block: every non-empty expected line must match
/// a whole output line, in order (other output lines may come between); within an expected line <c>…</c> (U+2026)
/// stands for any text and everything else is literal and case-sensitive. Trailing whitespace is ignored on both sides.
/// </summary>
public static class ExpectedOutput
{
    public const char Wildcard = '\u2026';
    public const int TailLines = 30;

    /// <summary>Null when the output has every expected line in order; otherwise what is missing and the output's end.</summary>
    public static string? Mismatch(string expected, string output)
    {
        var wanted = Lines(expected).Where(line => line.Length > 0).ToList();
        var actual = Lines(output);
        var next = 0;
        var matched = new List<string>();
        foreach (var line in wanted)
        {
            var pattern = Pattern(line);
            var found = actual.FindIndex(next, pattern.IsMatch);
            if (found < 0)
            {
                return Explain(line, pattern, next, matched, actual);
            }

            matched.Add($"  \"{line}\" at output line {found + 1}");
            next = found + 1;
        }

        return null;
    }

    /// <summary>The last <paramref name="count"/> lines of an output, numbered, for a failure message.</summary>
    public static string Tail(string output, int count = TailLines)
    {
        var lines = Lines(output);
        if (lines.Count == 0)
        {
            return "(no output at all)";
        }

        var from = Math.Max(0, lines.Count - count);
        var text = new StringBuilder(from == 0 ? $"all {lines.Count} output lines:\n" : $"last {lines.Count - from} of {lines.Count} output lines:\n");
        for (var i = from; i < lines.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i + 1,5} | {lines[i]}\n");
        }

        return text.ToString();
    }

    private static string Explain(string line, Regex pattern, int from, List<string> matched, List<string> actual)
    {
        var text = new StringBuilder($"expected line not found: \"{line}\"\n");
        text.Append(from == 0 ? "searched the whole output" : $"searched from output line {from + 1}, after the earlier expected lines:\n{string.Join('\n', matched)}");
        text.Append('\n');
        var earlier = actual.FindIndex(0, from, pattern.IsMatch);
        if (earlier >= 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"(it matches output line {earlier + 1}, before an earlier expected line: the order differs)\n");
        }
        else if (actual.Any(l => string.Equals(l.Trim(), line.Trim(), StringComparison.OrdinalIgnoreCase)))
        {
            text.Append("(a line differing only in case or leading spaces is there)\n");
        }

        return text.Append(Tail(string.Join('\n', actual))).ToString();
    }

    // Literal text between wildcards; the whole output line must match, as an operator reading it would compare.
    private static Regex Pattern(string line) =>
        new($"^{string.Join(".*", line.Split(Wildcard).Select(Regex.Escape))}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static List<string> Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd()).ToList();
        if (lines is [.., ""])
        {
            lines.RemoveAt(lines.Count - 1); // the newline that ends the last line does not start another
        }

        return lines;
    }
}
