using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sandbox.Tests.Infrastructure;

/// <summary>
/// The house rules for Grafana dashboards, in the spirit of Grafana's dashboard-linter: panels say what they show and in
/// which unit, name the datasource by its fixed uid and use <c>$__rate_interval</c>; cutover dashboards offer the
/// <c>env</c> and <c>service</c> variables. Returns every problem, not just the first.
/// </summary>
public static partial class DashboardLinter
{
    public const string DatasourceUid = "sandbox-prometheus";
    private static readonly string[] RequiredVariables = ["env", "service"];

    public static IReadOnlyList<string> Problems(JsonElement dashboard)
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

        if (Tags(dashboard).Contains("cutover"))
        {
            var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
            foreach (var name in RequiredVariables)
            {
                var variable = variables.FirstOrDefault(v => Text(v, "name") == name);
                if (variable.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"a cutover dashboard needs the template variable '{name}'");
                }
                else if (Uid(variable) != DatasourceUid)
                {
                    problems.Add($"variable '{name}' must use the datasource uid '{DatasourceUid}'");
                }
            }

            if (!panels.SelectMany(Targets).Any(t => Text(t, "expr").Contains("$env", StringComparison.Ordinal)))
            {
                problems.Add("no query uses $env");
            }
        }

        foreach (var duplicate in panels.GroupBy(p => p.GetProperty("id").GetInt32()).Where(g => g.Count() > 1))
        {
            problems.Add($"panel id {duplicate.Key} is used twice");
        }

        var areas = new List<(string Title, int X, int Y, int W, int H)>();
        foreach (var panel in panels)
        {
            var title = Text(panel, "title");
            var name = string.IsNullOrWhiteSpace(title) ? $"panel {panel.GetProperty("id")}" : title;
            if (string.IsNullOrWhiteSpace(title))
            {
                problems.Add($"{name}: no title");
            }

            if (string.IsNullOrWhiteSpace(Text(panel, "description")))
            {
                problems.Add($"{name}: no description");
            }

            if (!panel.TryGetProperty("fieldConfig", out var config) || string.IsNullOrWhiteSpace(Text(config.GetProperty("defaults"), "unit")))
            {
                problems.Add($"{name}: no unit");
            }

            if (Uid(panel) != DatasourceUid)
            {
                problems.Add($"{name}: the datasource must be uid '{DatasourceUid}'");
            }

            var targets = Targets(panel).ToList();
            if (targets.Count == 0)
            {
                problems.Add($"{name}: no queries");
            }

            foreach (var target in targets)
            {
                var expr = Text(target, "expr");
                if (Uid(target) != DatasourceUid)
                {
                    problems.Add($"{name}: query {Text(target, "refId")} must use the datasource uid '{DatasourceUid}'");
                }

                if (string.IsNullOrWhiteSpace(expr))
                {
                    problems.Add($"{name}: query {Text(target, "refId")} is empty");
                }

                problems.AddRange(RangeSelector().Matches(StringLiteral().Replace(expr, "\"\"")).Where(m => m.Groups["range"].Value != "$__rate_interval")
                    .Select(m => $"{name}: use [$__rate_interval] instead of [{m.Groups["range"].Value}]"));
            }

            var grid = panel.GetProperty("gridPos");
            var area = (name, grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            problems.AddRange(areas.Where(a => a.X < area.Item2 + area.Item4 && area.Item2 < a.X + a.W && a.Y < area.Item3 + area.Item5 && area.Item3 < a.Y + a.H)
                .Select(a => $"{name}: overlaps {a.Title}"));
            areas.Add(area);
        }

        return problems;
    }

    public static IEnumerable<JsonElement> Targets(JsonElement panel) =>
        panel.TryGetProperty("targets", out var targets) ? targets.EnumerateArray() : [];

    private static HashSet<string> Tags(JsonElement dashboard) =>
        dashboard.TryGetProperty("tags", out var tags) ? tags.EnumerateArray().Select(t => t.GetString() ?? string.Empty).ToHashSet() : [];

    private static string? Uid(JsonElement element) =>
        element.TryGetProperty("datasource", out var datasource) && datasource.ValueKind == JsonValueKind.Object ? Text(datasource, "uid") : null;

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    // A range selector, once string literals (which may hold regex brackets) are blanked; no subqueries are used.
    [GeneratedRegex(@"\[(?<range>[^\]]+)\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();
}
