using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sandbox.Tests.Infrastructure;

/// <summary>
/// The house rules for Grafana dashboards, in the spirit of Grafana's dashboard-linter: panels say what they show and in
/// which unit and use <c>$__rate_interval</c>; everything names its datasource through the dashboard's
/// <c>datasource</c> variable, so the JSON imports into any Grafana; a query on a metric carrying <c>env</c> or
/// <c>service</c> filters by the variable of that name when the dashboard declares it; every dashboard carries the tag
/// the links look for and links to the others; cutover dashboards offer those variables and annotate cutover mode
/// changes and rollbacks apart; the cutover overview follows the chosen services' events in a row of its own. Returns
/// every problem, not just the first.
/// </summary>
public static partial class DashboardLinter
{
    public const string DatasourceVariable = "datasource";
    public const string DatasourceReference = "${datasource}";
    public const string TransitionsMetric = "filestore_cutover_transitions_total";
    public const string LinkTag = "filestore";
    public const string CorrelationDashboard = "filestore-cutover";
    public const string CorrelationRow = "Follow one service's events";

    /// <summary>
    /// A panel's opt-out of the filter rule: <c>"unfilteredBy": { "service": "why this panel shows every service" }</c>,
    /// for a panel that deliberately aggregates across a variable's values.
    /// </summary>
    public const string OptOut = "unfilteredBy";

    // Required on cutover dashboards, and filtered by wherever a metric has the label of that name.
    private static readonly string[] Variables = ["env", "service"];

    // The switches Filestore counts in the transitions metric: CutoverService.Allowed, which FilestoreStub.Tests'
    // CutoverGuidanceTests pins. The dashboards show the rollback apart from the other mode changes.
    private static readonly (string From, string To)[] Transitions = [("manual", "shadow"), ("shadow", "managed"), ("shadow", "manual"), ("managed", "manual")];
    private static readonly (string From, string To) Rollback = ("managed", "manual");

    // What the correlation row follows for the chosen services: Filestore's publish, each consumer's apply, the lag.
    private static readonly (string Metric, string What)[] CorrelationMetrics =
    [
        ("filestore_events_published_total", "events published"),
        ("consumer_events_processed_total", "events applied"),
        ("consumer_reconciliation_lag_seconds_bucket", "reconciliation lag"),
    ];

    public static IReadOnlyList<string> Problems(JsonElement dashboard) => Problems(dashboard, MetricContract.Labels);

    public static IReadOnlyList<string> Problems(JsonElement dashboard, IReadOnlyDictionary<string, IReadOnlySet<string>> metricLabels)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Text(dashboard, "uid")) || string.IsNullOrWhiteSpace(Text(dashboard, "title")))
        {
            problems.Add("the dashboard needs a uid and a title");
        }

        var panels = dashboard.TryGetProperty("panels", out var list) ? list.EnumerateArray().ToList() : [];
        if (panels.Count == 0)
        {
            problems.Add("the dashboard has no panels");
        }

        var variables = dashboard.TryGetProperty("templating", out var templating) ? templating.GetProperty("list").EnumerateArray().ToList() : [];
        var declared = variables.Select(v => Text(v, "name")).ToHashSet(StringComparer.Ordinal);
        var datasource = variables.FirstOrDefault(v => Text(v, "name") == DatasourceVariable);
        if (datasource.ValueKind != JsonValueKind.Object || Text(datasource, "type") != "datasource" || Text(datasource, "query") != "prometheus")
        {
            problems.Add($"the dashboard needs the variable '{DatasourceVariable}' of type datasource with query prometheus");
        }

        foreach (var variable in variables.Where(v => Text(v, "type") == "query"))
        {
            problems.AddRange(DatasourceProblems(variable, $"variable '{Text(variable, "name")}'"));
        }

        var annotations = dashboard.TryGetProperty("annotations", out var annotationList) ? annotationList.GetProperty("list").EnumerateArray().ToList() : [];
        foreach (var annotation in annotations.Where(a => a.TryGetProperty("expr", out _)))
        {
            var name = $"annotation '{Text(annotation, "name")}'";
            problems.AddRange(DatasourceProblems(annotation, name));
            problems.AddRange(QueryProblems(name, Text(annotation, "expr"), declared, metricLabels, []));
        }

        if (Tags(dashboard).Contains("cutover"))
        {
            foreach (var name in Variables.Where(n => !declared.Contains(n)))
            {
                problems.Add($"a cutover dashboard needs the template variable '{name}'");
            }

            if (!panels.Concat(panels.SelectMany(InsideRow)).SelectMany(Targets).Any(t => Text(t, "expr").Contains("$env", StringComparison.Ordinal)))
            {
                problems.Add("no query uses $env");
            }

            var shown = annotations.Where(a => IsTrue(a, "enable")).Select(a => TransitionsShown(Text(a, "expr"))).ToList();
            var modeChanges = Transitions.Where(t => t != Rollback).ToHashSet();
            if (!shown.Any(s => s.SetEquals(modeChanges)))
            {
                problems.Add($"a cutover dashboard needs an enabled annotation of cutover mode changes: {TransitionsMetric} for "
                             + $"{string.Join(", ", modeChanges.Select(t => $"{t.From} -> {t.To}"))} and no rollback");
            }

            if (!shown.Any(s => s.SetEquals([Rollback])))
            {
                problems.Add($"a cutover dashboard needs an enabled annotation of rollbacks: {TransitionsMetric} for {Rollback.From} -> {Rollback.To} alone");
            }
        }

        // The links list the dashboards by tag: one without the tag is missing from every other dashboard's list.
        if (!Tags(dashboard).Contains(LinkTag))
        {
            problems.Add($"the dashboard needs the tag '{LinkTag}', which the links between the dashboards look for");
        }

        if (!Links(dashboard).Any(l => Text(l, "type") == "dashboards" && l.TryGetProperty("tags", out var tags)
                                       && tags.EnumerateArray().Any(t => t.GetString() == LinkTag) && IsTrue(l, "includeVars") && IsTrue(l, "keepTime")))
        {
            problems.Add($"the dashboard needs a link to the dashboards tagged '{LinkTag}' that keeps the time and the variables");
        }

        if (Text(dashboard, "uid") == CorrelationDashboard)
        {
            problems.AddRange(CorrelationRowProblems(panels));
        }

        foreach (var duplicate in panels.Concat(panels.SelectMany(InsideRow)).GroupBy(p => p.GetProperty("id").GetInt32()).Where(g => g.Count() > 1))
        {
            problems.Add($"panel id {duplicate.Key} is used twice");
        }

        var areas = new List<(string Title, int X, int Y, int W, int H)>();
        foreach (var panel in panels)
        {
            var name = NameOf(panel);
            problems.AddRange(PanelProblems(panel, declared, metricLabels));
            if (Text(panel, "type") == "row" && panel.TryGetProperty("collapsed", out var collapsed) && collapsed.ValueKind == JsonValueKind.True)
            {
                // A collapsed row keeps its panels inside it, laid out as if it were open: they are not on the grid now.
                problems.AddRange(InsideRow(panel).SelectMany(p => PanelProblems(p, declared, metricLabels)));
            }

            var grid = panel.GetProperty("gridPos");
            var area = (name, grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            problems.AddRange(areas.Where(a => a.X < area.Item2 + area.Item4 && area.Item2 < a.X + a.W && a.Y < area.Item3 + area.Item5 && area.Item3 < a.Y + a.H)
                .Select(a => $"{name}: overlaps {a.Title}"));
            areas.Add(area);
        }

        return problems;
    }

    /// <summary>Every panel that shows data: those on the grid and those inside collapsed rows, rows themselves left out.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement dashboard) =>
        dashboard.GetProperty("panels").EnumerateArray().SelectMany(p => Text(p, "type") == "row" ? InsideRow(p) : [p]);

    public static IEnumerable<JsonElement> Targets(JsonElement panel) =>
        panel.TryGetProperty("targets", out var targets) ? targets.EnumerateArray() : [];

    private static List<JsonElement> InsideRow(JsonElement panel) =>
        Text(panel, "type") == "row" && panel.TryGetProperty("panels", out var inner) ? inner.EnumerateArray().ToList() : [];

    private static IEnumerable<string> PanelProblems(JsonElement panel, HashSet<string> declared, IReadOnlyDictionary<string, IReadOnlySet<string>> metricLabels)
    {
        var title = Text(panel, "title");
        var name = NameOf(panel);
        if (string.IsNullOrWhiteSpace(title))
        {
            yield return $"{name}: no title";
        }

        // A row is a heading: it has no query, unit or datasource of its own.
        if (Text(panel, "type") == "row")
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(Text(panel, "description")))
        {
            yield return $"{name}: no description";
        }

        if (!panel.TryGetProperty("fieldConfig", out var config) || string.IsNullOrWhiteSpace(Text(config.GetProperty("defaults"), "unit")))
        {
            yield return $"{name}: no unit";
        }

        foreach (var problem in DatasourceProblems(panel, name))
        {
            yield return problem;
        }

        var targets = Targets(panel).ToList();
        if (targets.Count == 0)
        {
            yield return $"{name}: no queries";
        }

        var optedOut = panel.TryGetProperty(OptOut, out var reasons) && reasons.ValueKind == JsonValueKind.Object
            ? reasons.EnumerateObject().Where(r => !string.IsNullOrWhiteSpace(r.Value.GetString())).Select(r => r.Name).ToHashSet(StringComparer.Ordinal)
            : [];
        foreach (var target in targets)
        {
            var query = $"{name}: query {Text(target, "refId")}";
            foreach (var problem in DatasourceProblems(target, query).Concat(QueryProblems(query, Text(target, "expr"), declared, metricLabels, optedOut)))
            {
                yield return problem;
            }
        }
    }

    private static IEnumerable<string> CorrelationRowProblems(List<JsonElement> panels)
    {
        var row = panels.FindIndex(p => Text(p, "type") == "row" && Text(p, "title") == CorrelationRow);
        if (row < 0)
        {
            yield return $"the cutover overview needs the row '{CorrelationRow}'";
            yield break;
        }

        // An open row's panels follow it up to the next row; a collapsed row keeps them inside it.
        var inRow = IsTrue(panels[row], "collapsed") ? InsideRow(panels[row]) : panels.Skip(row + 1).TakeWhile(p => Text(p, "type") != "row").ToList();
        foreach (var panel in inRow)
        {
            if (panel.TryGetProperty(OptOut, out var reasons) && reasons.ValueKind == JsonValueKind.Object && reasons.TryGetProperty("service", out _))
            {
                yield return $"{NameOf(panel)}: a panel of the row '{CorrelationRow}' follows the chosen services, so it cannot opt out of $service";
            }

            foreach (var target in Targets(panel).Where(t => !Selector().Matches(Text(t, "expr")).Any(s => FiltersBy(s.Groups["matchers"].Value, "service"))))
            {
                yield return $"{NameOf(panel)}: query {Text(target, "refId")}: a query of the row '{CorrelationRow}' must filter by $service";
            }
        }

        var read = inRow.SelectMany(Targets).SelectMany(t => Selector().Matches(Text(t, "expr")))
            .Select(s => s.Groups["metric"].Value).ToHashSet(StringComparer.Ordinal);
        foreach (var (metric, what) in CorrelationMetrics.Where(c => !read.Contains(c.Metric)))
        {
            yield return $"the row '{CorrelationRow}' needs a panel of the {what} ({metric})";
        }
    }

    private static IEnumerable<string> DatasourceProblems(JsonElement element, string name)
    {
        if (!element.TryGetProperty("datasource", out var datasource) || datasource.ValueKind != JsonValueKind.Object
            || Text(datasource, "type") != "prometheus" || Text(datasource, "uid") != DatasourceReference)
        {
            yield return $"{name}: the datasource must be {{\"type\": \"prometheus\", \"uid\": \"{DatasourceReference}\"}}";
        }
    }

    private static IEnumerable<string> QueryProblems(
        string name, string expr, HashSet<string> declared, IReadOnlyDictionary<string, IReadOnlySet<string>> metricLabels, HashSet<string> optedOut)
    {
        if (string.IsNullOrWhiteSpace(expr))
        {
            yield return $"{name} is empty";
            yield break;
        }

        foreach (Match range in RangeSelector().Matches(StringLiteral().Replace(expr, "\"\"")).Where(m => m.Groups["range"].Value != "$__rate_interval"))
        {
            yield return $"{name}: use [$__rate_interval] instead of [{range.Groups["range"].Value}]";
        }

        foreach (var (metric, matchers) in Selectors(expr, metricLabels))
        {
            if (LabelsOf(metric, matchers, metricLabels) is not { } labels)
            {
                continue;
            }

            foreach (var label in Variables.Where(l => labels.Contains(l) && declared.Contains(l) && !optedOut.Contains(l)))
            {
                if (!FiltersBy(matchers, label))
                {
                    yield return $"{name}: {metric} has the label '{label}' but the query does not filter it by ${label} (with =~)";
                }
            }
        }
    }

    // With =~ only: a plain = breaks when Grafana sends "All" or several values as a regex.
    private static bool FiltersBy(string matchers, string label) =>
        Regex.IsMatch(matchers, $@"(?<![\w]){label}\s*=~\s*""[^""]*\$\{{?{label}\b");

    // Every selector of a query with the metric it reads: the name before it, or each metric of the contract its
    // __name__ matcher lets through.
    private static IEnumerable<(string Metric, string Matchers)> Selectors(string expr, IReadOnlyDictionary<string, IReadOnlySet<string>> metricLabels)
    {
        foreach (Match selector in Selector().Matches(expr))
        {
            yield return (selector.Groups["metric"].Value, selector.Groups["matchers"].Value);
        }

        foreach (Match selector in NamelessSelector().Matches(expr))
        {
            var matchers = selector.Groups["matchers"].Value;
            var metrics = metricLabels.Keys.Select(k => Selector().Match(k).Groups["metric"].Value).Distinct();
            foreach (var metric in metrics.Where(m => Admits(matchers, "__name__", m)))
            {
                yield return (metric, matchers);
            }
        }
    }

    // The labels of the series a selector reads, from the metric's row of the contract or, for a metric listed per
    // value of a label (the slo:* series, per SLO), from the row of every value the selector lets through; null for a
    // metric the contract does not list.
    private static HashSet<string>? LabelsOf(string metric, string matchers, IReadOnlyDictionary<string, IReadOnlySet<string>> metricLabels)
    {
        var rows = metricLabels
            .Where(row => Selector().Match(row.Key) is var key && key.Groups["metric"].Value == metric
                          && Matchers(key.Groups["matchers"].Value).All(m => Admits(matchers, m.Label, m.Value)))
            .ToList();
        return rows.Count == 0 ? null : rows.SelectMany(r => r.Value).ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<(string Label, string Operator, string Value)> Matchers(string matchers) =>
        Matcher().Matches(matchers).Select(m => (m.Groups["label"].Value, m.Groups["operator"].Value, m.Groups["value"].Value));

    // Whether a label's value passes every matcher on that label (PromQL anchors a regex at both ends).
    private static bool Admits(string matchers, string label, string value) =>
        Matchers(matchers).Where(m => m.Label == label).All(m => m.Operator switch
        {
            "=" => value == m.Value,
            "!=" => value != m.Value,
            "=~" => Regex.IsMatch(value, $"^(?:{m.Value})$"),
            _ => !Regex.IsMatch(value, $"^(?:{m.Value})$"),
        });

    // The transitions an annotation's query marks: those its from and to matchers on the transitions metric let through.
    private static HashSet<(string From, string To)> TransitionsShown(string expr) =>
        Selector().Matches(expr).Where(s => s.Groups["metric"].Value == TransitionsMetric)
            .SelectMany(s => Transitions.Where(t => Admits(s.Groups["matchers"].Value, "from", t.From) && Admits(s.Groups["matchers"].Value, "to", t.To)))
            .ToHashSet();

    private static string NameOf(JsonElement panel) =>
        string.IsNullOrWhiteSpace(Text(panel, "title")) ? $"panel {panel.GetProperty("id")}" : Text(panel, "title");

    private static List<JsonElement> Links(JsonElement dashboard) =>
        dashboard.TryGetProperty("links", out var links) ? links.EnumerateArray().ToList() : [];

    private static HashSet<string> Tags(JsonElement dashboard) =>
        dashboard.TryGetProperty("tags", out var tags) ? tags.EnumerateArray().Select(t => t.GetString() ?? string.Empty).ToHashSet() : [];

    private static bool IsTrue(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    // A range selector, once string literals (which may hold regex brackets) are blanked; no subqueries are used.
    [GeneratedRegex(@"\[(?<range>[^\]]+)\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();

    // A metric name and its label matchers, if any; a name in by (...) or a function name is simply not in the contract.
    [GeneratedRegex(@"(?<![\w:""])(?<metric>[a-zA-Z_:][\w:]*)\s*(?:\{(?<matchers>[^}]*)\})?")]
    private static partial Regex Selector();

    // A selector naming its metrics by a __name__ matcher, such as {__name__=~"slo:burn_rate:rate(5m|1h)"}.
    [GeneratedRegex(@"(?<![\w:]\s*)\{(?<matchers>[^}]*\b__name__\s*=[^}]*)\}")]
    private static partial Regex NamelessSelector();

    [GeneratedRegex(@"(?<label>[a-zA-Z_]\w*)\s*(?<operator>=~|!~|!=|=)\s*""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Matcher();
}
