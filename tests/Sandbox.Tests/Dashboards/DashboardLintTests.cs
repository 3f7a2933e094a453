using System.Text.Json;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Dashboards;

public sealed class DashboardLintTests
{
    public static TheoryData<string> DashboardFiles() =>
        [.. Directory.GetFiles(Repository.PathOf("dashboards", "grafana", "dashboards"), "*.json").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void The_dashboard_passes_the_linter(string file)
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("dashboards", "grafana", "dashboards", file)));

        Assert.Empty(DashboardLinter.Problems(dashboard.RootElement));
    }

    [Fact]
    public void The_four_cutover_dashboards_exist_with_unique_uids()
    {
        var uids = Directory.GetFiles(Repository.PathOf("dashboards", "grafana", "dashboards"), "*.json")
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("uid").GetString())
            .ToList();

        Assert.Superset(new HashSet<string?> { "filestore-cutover", "filestore-slo", "filestore-queues", "filestore-consumers" }, uids.ToHashSet());
        Assert.Equal(uids.Count, uids.Distinct().Count());
    }

    [Fact]
    public void The_linter_finds_every_kind_of_problem()
    {
        const string Broken = """
            {
              "uid": "broken", "title": "Broken", "tags": ["cutover"],
              "templating": { "list": [ { "name": "env", "datasource": { "uid": "other" } } ] },
              "panels": [
                { "id": 1, "title": "", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 }, "fieldConfig": { "defaults": {} },
                  "datasource": { "uid": "other" },
                  "targets": [ { "refId": "A", "expr": "rate(x[5m])", "datasource": { "uid": "other" } } ] },
                { "id": 1, "title": "Second", "description": "d", "gridPos": { "x": 6, "y": 4, "w": 12, "h": 8 },
                  "fieldConfig": { "defaults": { "unit": "s" } }, "datasource": { "uid": "sandbox-prometheus" }, "targets": [] }
              ]
            }
            """;
        using var dashboard = JsonDocument.Parse(Broken);

        var problems = DashboardLinter.Problems(dashboard.RootElement);

        Assert.Equal(
        [
            "variable 'env' must use the datasource uid 'sandbox-prometheus'",
            "a cutover dashboard needs the template variable 'service'",
            "no query uses $env",
            "panel id 1 is used twice",
            "panel 1: no title",
            "panel 1: no description",
            "panel 1: no unit",
            "panel 1: the datasource must be uid 'sandbox-prometheus'",
            "panel 1: query A must use the datasource uid 'sandbox-prometheus'",
            "panel 1: use [$__rate_interval] instead of [5m]",
            "Second: no queries",
            "Second: overlaps panel 1",
        ], problems);
    }
}
