using System.Text.Json;
using System.Text.RegularExpressions;
using System.Web;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Dashboards;

/// <summary>
/// Executables mode has no Grafana: its dashboards are the Prometheus graph views the AppHost generates. Here they are
/// opened as an operator would, from <c>endpoints.json</c> and the prometheus resource's links, while drill traffic flows.
/// </summary>
[Collection(RunningSandbox.Name)]
public sealed partial class DashboardViewsLiveTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Every_dashboard_has_views_in_endpoints_json_and_among_the_prometheus_links_and_every_query_in_them_succeeds()
    {
        var addresses = await AddressesAsync();
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        var links = PrometheusLinks();

        var uids = Directory.GetFiles(Repository.PathOf("dashboards", "grafana", "dashboards"), "*.json").Select(GrafanaDashboard.Load).Select(d => d.Uid);
        Assert.Equal(uids.Order(), addresses.Dashboards!.Keys.Order());
        var problems = new List<string>();
        foreach (var (uid, dashboard) in addresses.Dashboards)
        {
            Assert.NotEmpty(dashboard.Prometheus);
            Assert.Null(dashboard.Grafana);
            foreach (var page in dashboard.Prometheus)
            {
                Assert.Contains(page, links);
                Assert.StartsWith(addresses.Resources["prometheus"].Url + "/classic/graph?", page, StringComparison.Ordinal);
                foreach (var expression in Expressions(new Uri(page)))
                {
                    try
                    {
                        await prometheus.QueryAsync(expression);
                    }
                    catch (InvalidOperationException e)
                    {
                        problems.Add($"{uid}: {e.Message}");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains(addresses.Resources["prometheus"].Url + "/classic/alerts", links);
    }

    [Fact]
    public async Task Each_view_opens_in_a_browser_with_one_graph_per_query_and_no_query_error()
    {
        await using var traffic = await sandbox.DrillTrafficAsync();
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        await Waits.UntilAsync("managed commands and applied events", Waits.Scrape, async ct =>
        {
            var result = await prometheus.QueryAsync(
                "sum(rate(filestore_commands_total{mode=\"managed\"}[30s])) > 0 and on () count(count by (consumer) (consumer_reconciliation_lag_seconds_count)) == 2", ct);
            return (result.Count > 0 ? result : null, "no managed commands applied by both consumers yet");
        });
        var addresses = await AddressesAsync();

        var problems = new List<string>();
        foreach (var (uid, dashboard) in addresses.Dashboards!)
        {
            foreach (var page in dashboard.Prometheus.Select(p => new Uri(p)))
            {
                var dom = await HeadlessChromium.RenderedDomAsync(page);

                var graphs = GraphWrapper().Count(dom);
                var drawn = DrawnGraph().Count(dom);
                var shownErrors = ShownError().Matches(dom).Select(m => m.Groups["text"].Value.Trim()).ToList();
                var queryErrors = shownErrors.Where(text => text != "No datapoints found.").ToList();
                var where = $"{dashboard.Title} ({uid})";
                if (graphs != Expressions(page).Count)
                {
                    problems.Add($"{where}: {graphs} graphs on the page for {Expressions(page).Count} queries");
                }

                problems.AddRange(queryErrors.Select(error => $"{where}: {error}"));
                if (drawn == 0 || drawn + shownErrors.Count != graphs)
                {
                    problems.Add($"{where}: {drawn} graphs drawn and {shownErrors.Count} empty of {graphs}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private async Task<SandboxAddresses> AddressesAsync()
    {
        var json = await File.ReadAllTextAsync(Path.Combine(sandbox.StateDirectory, SandboxAddresses.FileName));
        return JsonSerializer.Deserialize<SandboxAddresses>(json)!;
    }

    private List<string> PrometheusLinks()
    {
        var notifications = sandbox.App.Services.GetRequiredService<ResourceNotificationService>();
        Assert.True(notifications.TryGetCurrentState("prometheus", out var prometheus));
        return prometheus.Snapshot.Urls.Select(u => u.Url).ToList();
    }

    private static List<string> Expressions(Uri page)
    {
        var query = HttpUtility.ParseQueryString(page.Query);
        return Enumerable.Range(0, int.MaxValue).Select(i => query[$"g{i}.expr"]).TakeWhile(e => e is not null).Select(e => e!).ToList();
    }

    // The classic graph page: one wrapper per graph; a drawn graph has its y axis; a failed or empty query shows its
    // alert (hidden ones carry display: none).
    [GeneratedRegex(@"class=""graph_wrapper")]
    private static partial Regex GraphWrapper();

    [GeneratedRegex(@"class=""rickshaw_graph y_axis""")]
    private static partial Regex DrawnGraph();

    [GeneratedRegex(@"class=""error alert alert-danger"" style="""">(?<text>[^<]*)<")]
    private static partial Regex ShownError();
}
