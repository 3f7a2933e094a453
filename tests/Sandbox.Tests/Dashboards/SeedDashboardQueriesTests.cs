using System.Text.Json;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Dashboards;

/// <summary>Each panel of the seed dashboard, sent to the running sandbox's Prometheus, must succeed and show data.</summary>
[Collection(RunningSandbox.Name)]
public sealed class SeedDashboardQueriesTests(SandboxFixture sandbox)
{
    public static IEnumerable<object[]> Panels()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(
            Repository.PathOf("dashboards", "grafana", "dashboards", "sandbox-overview.json")));
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                yield return [panel.GetProperty("title").GetString()!, target.GetProperty("expr").GetString()!];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Panels))]
    public async Task Panel_query_returns_data_from_the_live_sandbox(string panel, string expr)
    {
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        // Grafana substitutes $__rate_interval; four scrape intervals is what it would pick at 5 s.
        var query = expr.Replace("$__rate_interval", "20s", StringComparison.Ordinal);

        var series = await Waits.UntilAsync($"data for panel '{panel}'", Waits.Scrape, async ct =>
        {
            var result = await prometheus.QueryAsync(query, ct);
            return (result.Count > 0 ? result : null, "no series yet");
        });

        Assert.NotEmpty(series);
    }
}
