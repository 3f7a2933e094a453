using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sandbox.AppHost;

/// <summary>
/// Prometheus's graph page, which takes several expressions in one URL. Its address differs by major version: Debian's
/// Prometheus 2.42 ships only the classic pages (<c>/classic/graph</c>), Prometheus 3 only the new ones (<c>/query</c>).
/// </summary>
public sealed partial record PrometheusGraphPage(int MajorVersion)
{
    // Long enough to see a drill's effect, short enough that a just-started sandbox's data is not a sliver.
    public const string Range = "15m";

    public string Path => MajorVersion >= 3 ? "/query" : "/classic/graph";

    public string AlertsPath => MajorVersion >= 3 ? "/alerts" : "/classic/alerts";

    /// <summary>
    /// The classic page sorts its URL parameters as text before reading them per graph, so <c>g10.</c> lands between
    /// <c>g1.</c> and <c>g2.</c> and an eleventh graph scrambles the others: at most ten graphs per classic page.
    /// </summary>
    public int MaxGraphs => MajorVersion >= 3 ? int.MaxValue : 10;

    /// <summary>Panels (each a list of graphs) grouped into pages of at most <see cref="MaxGraphs"/>, never splitting a panel.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Split(IReadOnlyList<IReadOnlyList<string>> panels)
    {
        var pages = new List<IReadOnlyList<string>>();
        var current = new List<string>();
        foreach (var panel in panels)
        {
            if (current.Count > 0 && current.Count + panel.Count > MaxGraphs)
            {
                pages.Add(current);
                current = [];
            }

            current.AddRange(panel);
        }

        if (current.Count > 0)
        {
            pages.Add(current);
        }

        return pages;
    }

    /// <summary>The page showing every expression as a graph; each may begin with a <c># comment</c> line (its title).</summary>
    public Uri Url(Uri prometheus, IEnumerable<string> expressions)
    {
        var graphTab = MajorVersion >= 3 ? "graph" : "0";
        var query = new StringBuilder();
        foreach (var (expression, i) in expressions.Select((e, i) => (e, i)))
        {
            query.Append(query.Length == 0 ? '?' : '&')
                .Append(CultureInfo.InvariantCulture, $"g{i}.expr={Uri.EscapeDataString(expression)}&g{i}.tab={graphTab}&g{i}.range_input={Range}");
        }

        return new Uri(prometheus, Path + query);
    }

    /// <summary>The page of the Prometheus binary at <paramref name="command"/>, from its <c>--version</c>.</summary>
    public static PrometheusGraphPage OfBinary(string command)
    {
        using var process = Process.Start(new ProcessStartInfo(command, "--version") { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new SandboxSetupException($"{command} --version could not be started.");
        // Both streams are read so that neither can fill up and stall it.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill();
            throw new SandboxSetupException($"{command} --version did not answer within 10 s.");
        }

        return FromVersionText(stdout.Result + stderr.Result)
            ?? throw new SandboxSetupException($"{command} --version printed no version: {(stdout.Result + stderr.Result).Trim()}");
    }

    /// <summary>The page of an image tag such as <c>v3.5.0</c>.</summary>
    public static PrometheusGraphPage OfImageTag(string tag) =>
        FromVersionText($"version {tag.TrimStart('v')}") ?? throw new ArgumentException($"'{tag}' is not a Prometheus version tag.", nameof(tag));

    public static PrometheusGraphPage? FromVersionText(string text) =>
        Version().Match(text) is { Success: true } match
            ? new PrometheusGraphPage(int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture))
            : null;

    [GeneratedRegex(@"version (?<major>\d+)\.\d+")]
    private static partial Regex Version();
}
