using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Syntax;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Dashboards;

/// <summary>
/// Every query a dashboard, a rule, the runbook or the SLO agreement makes, sent to the running sandbox's Prometheus
/// while a drill's traffic flows: each must succeed, and each panel that should show data must get some.
/// </summary>
[Collection(RunningSandbox.Name)]
public sealed partial class LiveQueriesTests(SandboxFixture sandbox)
{
    // Documents whose promql blocks an operator pastes into Prometheus: the runbook and the SLO agreement.
    private static readonly string[] QueryDocuments = ["filestore-cutover.md", "slo.md"];

    // Panels that are rightly empty in a healthy sandbox, and why.
    private static readonly Dictionary<string, string> MayBeEmpty = new()
    {
        ["Firing alerts"] = "nothing fires when all is well",
        ["Drift storm"] = "the series exists only while a storm runs",
    };

    [Fact]
    public async Task Every_dashboard_panel_query_succeeds_and_returns_data_where_it_should()
    {
        await using var traffic = await sandbox.DrillTrafficAsync();
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        await RefusedOnceAsync();
        await UntilDataAsync(prometheus, "managed commands and applied events",
            $"sum(rate(filestore_commands_total{{env=\"{traffic.Target.Env}\", service=\"{traffic.Target.Service}\", mode=\"managed\"}}[30s])) > 0 and on () count(count by (consumer) (consumer_reconciliation_lag_seconds_count)) == 2");

        var problems = new List<string>();
        foreach (var file in Directory.GetFiles(Repository.PathOf("dashboards", "grafana", "dashboards"), "*.json"))
        {
            using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(file));
            foreach (var panel in DashboardLinter.Panels(dashboard.RootElement))
            {
                var title = panel.GetProperty("title").GetString()!;
                foreach (var target in DashboardLinter.Targets(panel))
                {
                    var query = AsGrafanaSendsIt(target.GetProperty("expr").GetString()!);
                    var where = $"{Path.GetFileName(file)} / {title}";
                    try
                    {
                        if (!MayBeEmpty.ContainsKey(title))
                        {
                            await UntilDataAsync(prometheus, where, query);
                        }
                        else
                        {
                            await prometheus.QueryAsync(query);
                        }
                    }
                    catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                    {
                        problems.Add($"{where}: {e.Message}");
                    }
                }
            }

            // Annotations mark rare events (a cutover mode change), so they must succeed but may find nothing.
            foreach (var annotation in dashboard.RootElement.GetProperty("annotations").GetProperty("list").EnumerateArray())
            {
                try
                {
                    await prometheus.QueryAsync(AsGrafanaSendsIt(annotation.GetProperty("expr").GetString()!));
                }
                catch (InvalidOperationException e)
                {
                    problems.Add($"{Path.GetFileName(file)} / annotation {annotation.GetProperty("name")}: {e.Message}");
                }
            }

            problems.AddRange(await VariableProblemsAsync(dashboard.RootElement, sandbox.HttpClientFor("prometheus")));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(traffic.Succeeded > 0, "the drill traffic sent no successful command");
    }

    [Fact]
    public async Task Every_rule_evaluates_in_the_sandbox_and_every_rule_and_runbook_query_succeeds()
    {
        var prometheus = new PrometheusClient(sandbox.HttpClientFor("prometheus"));
        var loaded = Directory.GetFiles(Repository.PathOf("dashboards", "prometheus", "rules"), "*.yml");
        var expressions = loaded.SelectMany(f => RuleFiles.Recordings(f).Select(r => (r.Name, r.Expr))
            .Concat(RuleFiles.Alerts(f).Select(a => (a.Name, a.Expr)))).ToList();
        var documented = new List<(string Name, string Expr)>();
        foreach (var document in QueryDocuments)
        {
            var blocks = Markdown.Parse(await File.ReadAllTextAsync(Repository.PathOf("docs", document)))
                .Descendants<FencedCodeBlock>().Where(b => b.Info == "promql")
                .Select(b => ($"docs/{document}", b.Lines.ToString().Trim())).ToList();
            Assert.True(blocks.Count > 0, $"docs/{document} has no promql block; the test would prove nothing about it");
            documented.AddRange(blocks);
        }

        var problems = new List<string>();
        foreach (var (name, expr) in expressions.Concat(documented))
        {
            try
            {
                await prometheus.QueryAsync(expr);
            }
            catch (InvalidOperationException e)
            {
                problems.Add($"{name}: {e.Message}");
            }
        }

        // Prometheus itself evaluated every rule of every group without an error.
        var rules = await Waits.UntilAsync("every rule evaluated", Waits.Scrape, async ct =>
        {
            var all = await prometheus.RulesAsync(ct);
            return (all.Count >= expressions.Count && all.All(r => r.Health != "unknown") ? all : null, $"{all.Count} rules loaded, some not evaluated yet");
        });
        problems.AddRange(rules.Where(r => r.Health != "ok").Select(r => $"{r.Name}: {r.Health} {r.LastError}"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    // Grafana replaces its variables before the query leaves; "All" is a regex that matches everything. The datasource
    // variable only picks where a query goes (here: the sandbox's Prometheus), so no query text holds it.
    private static string AsGrafanaSendsIt(string expr) => DashboardVariables.AllValues.Resolve(expr);

    private static Task<IReadOnlyList<JsonElement>> UntilDataAsync(PrometheusClient prometheus, string what, string query) =>
        Waits.UntilAsync($"data for {what}", Waits.Scrape, async ct =>
        {
            var result = await prometheus.QueryAsync(query, ct);
            return (result.Count > 0 ? result : null, $"no series yet for {query}");
        });

    // Each variable's label_values() must list something, as Grafana's dropdown would.
    private static async Task<List<string>> VariableProblemsAsync(JsonElement dashboard, HttpClient prometheus)
    {
        var problems = new List<string>();
        if (!dashboard.TryGetProperty("templating", out var templating))
        {
            return problems;
        }

        foreach (var variable in templating.GetProperty("list").EnumerateArray().Where(v => v.GetProperty("type").GetString() != "datasource"))
        {
            var definition = variable.GetProperty("definition").GetString()!;
            var match = LabelValues().Match(AsGrafanaSendsIt(definition));
            if (!match.Success)
            {
                problems.Add($"{dashboard.GetProperty("uid")}: variable {variable.GetProperty("name")} is not label_values(selector, label)");
                continue;
            }

            var body = await prometheus.GetFromJsonAsync<JsonElement>(
                $"/api/v1/label/{match.Groups["label"].Value}/values?match[]={Uri.EscapeDataString(match.Groups["selector"].Value)}");
            if (body.GetProperty("data").GetArrayLength() == 0)
            {
                problems.Add($"{dashboard.GetProperty("uid")}: variable {variable.GetProperty("name")} lists no values");
            }
        }

        return problems;
    }

    private async Task RefusedOnceAsync()
    {
        // One refused token, so the authentication-failure panel has a series to show.
        using var client = sandbox.HttpClientFor("filestore");
        client.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-real-token");
        using var _ = await client.GetAsync("/access/whoami");
    }

    [GeneratedRegex(@"^label_values\((?<selector>.+),\s*(?<label>\w+)\)$")]
    private static partial Regex LabelValues();
}
