using System.Text.Json;
using System.Web;
using Microsoft.Extensions.Configuration;
using Sandbox.AppHost;
using Sandbox.Tests.Infrastructure;

namespace Sandbox.Tests.Dashboards;

/// <summary>The Grafana dashboards as Prometheus graph views: generated from the JSON, nothing lost on the way.</summary>
public sealed class DashboardViewsTests
{
    private static readonly Uri Prometheus = new("http://localhost:19090");
    private static readonly PrometheusGraphPage Classic = new(2);
    private static readonly PrometheusGraphPage Current = new(3);

    public static TheoryData<string> DashboardFiles() =>
        [.. Directory.GetFiles(Repository.PathOf("dashboards", "grafana", "dashboards"), "*.json").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Every_panel_query_is_in_the_view_in_order_under_its_title_with_no_variable_left(string file)
    {
        var dashboard = GrafanaDashboard.Load(Repository.PathOf("dashboards", "grafana", "dashboards", file));

        var view = DashboardView.Of(dashboard, DashboardVariables.AllValues);

        var expected = dashboard.Panels.SelectMany(p => p.Queries.Select(q => (p.Title, Query: q))).ToList();
        var expressions = view.Expressions.ToList();
        Assert.Equal(expected.Count, expressions.Count);
        Assert.NotEmpty(expressions);
        foreach (var ((title, query), expression) in expected.Zip(expressions))
        {
            Assert.StartsWith($"# {title}", expression, StringComparison.Ordinal);
            Assert.EndsWith(DashboardVariables.AllValues.Resolve(query), expression, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"\$[A-Za-z_{]|\[\[", expression);
        }
    }

    [Fact]
    public void Every_query_in_the_json_is_in_a_view_and_the_two_largest_dashboards_take_two_classic_pages()
    {
        var directory = Repository.PathOf("dashboards", "grafana", "dashboards");
        // Counted from the JSON directly (rows, collapsed or not, hold panels too), not through the code under test.
        static int Queries(JsonElement panel) =>
            (panel.TryGetProperty("targets", out var targets) ? targets.EnumerateArray().Count(t => t.TryGetProperty("expr", out var e) && e.GetString() is { Length: > 0 }) : 0)
            + (panel.TryGetProperty("panels", out var inner) ? inner.EnumerateArray().Sum(Queries) : 0);

        foreach (var file in Directory.GetFiles(directory, "*.json"))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var expected = json.RootElement.GetProperty("panels").EnumerateArray().Sum(Queries);

            Assert.Equal(expected, DashboardView.Of(GrafanaDashboard.Load(file), DashboardVariables.AllValues).Expressions.Count());
        }

        var pages = Directory.GetFiles(directory, "*.json").Select(GrafanaDashboard.Load).Select(d => DashboardView.Of(d, DashboardVariables.AllValues))
            .ToDictionary(v => v.Uid, v => Classic.Split(v.Panels).Count);
        Assert.Equal(2, pages["filestore-cutover"]);
        Assert.Equal(2, pages["filestore-slo"]);
        Assert.All(pages.Where(p => p.Key is not ("filestore-cutover" or "filestore-slo")), p => Assert.Equal(1, p.Value));
    }

    [Theory]
    [InlineData("rate(x{env=~\"$env\"}[$__rate_interval])", "rate(x{env=~\".*\"}[20s])")]
    [InlineData("x{env=~\"${env}\", service=~\"${service:regex}\"}", "x{env=~\".*\", service=~\".*\"}")]
    [InlineData("x{env=~\"[[env]]\"}", "x{env=~\".*\"}")]
    [InlineData("label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")", "label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")")]
    [InlineData("max(filestore_outbox_events)", "max(filestore_outbox_events)")]
    public void Variables_take_grafanas_defaults_and_regex_groups_stay(string query, string resolved)
    {
        Assert.Equal(resolved, DashboardVariables.AllValues.Resolve(query));
    }

    [Fact]
    public void Chosen_values_narrow_the_views_of_the_dashboards_that_declare_them_and_say_so_in_their_titles()
    {
        var dashboards = GrafanaDashboard.LoadAll(Repository.PathOf("dashboards", "grafana", "dashboards"));
        var variables = DashboardVariables.Read(Settings(("env", "production"), ("service", "reports")), dashboards);

        var views = dashboards.ToDictionary(d => d.Uid, d => DashboardView.Of(d, variables));

        Assert.Equal("Filestore cutover overview (env=production, service=reports)", views["filestore-cutover"].Title);
        Assert.Equal(dashboards.Single(d => d.Uid == "sandbox-overview").Title, views["sandbox-overview"].Title);
        Assert.Contains(views["filestore-cutover"].Expressions, e => e.Contains("env=~\"production\"", StringComparison.Ordinal));
        Assert.DoesNotContain(views["filestore-cutover"].Expressions, e => e.Contains("env=~\".*\"", StringComparison.Ordinal));
        Assert.Equal("x{env=~\"production\", service=~\"reports\", queue=~\".*\"}",
            variables.Resolve("x{env=~\"$env\", service=~\"${service}\", queue=~\"$queue\"}"));
    }

    [Theory]
    [InlineData("tenant", "prod", "Sandbox:Dashboards:tenant is not a dashboard variable; the dashboards declare env, service.")]
    [InlineData("env", "prod|staging", "Sandbox:Dashboards:env must be one label value (letters, digits, '_' or '-'), not 'prod|staging'.")]
    [InlineData("env", "", "Sandbox:Dashboards:env must be one label value (letters, digits, '_' or '-'), not ''.")]
    [InlineData("datasource", "x", "Sandbox:Dashboards:datasource is not a dashboard variable; the dashboards declare env, service.")]
    public void A_value_that_is_not_a_plain_label_value_of_a_declared_variable_stops_the_start_with_one_line(string name, string value, string expected)
    {
        var dashboards = GrafanaDashboard.LoadAll(Repository.PathOf("dashboards", "grafana", "dashboards"));

        var error = Assert.Throws<SandboxSetupException>(() => DashboardVariables.Read(Settings((name, value)), dashboards));

        Assert.Equal(expected, error.Message);
    }

    private static IConfiguration Settings(params (string Name, string Value)[] chosen) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(chosen.Select(c => KeyValuePair.Create($"{DashboardVariables.SectionName}:{c.Name}", (string?)c.Value)))
            .Build();

    [Fact]
    public void The_url_carries_every_expression_back_unchanged_with_the_graph_tab()
    {
        string[] expressions = ["# Rate & ratio\nsum(rate(x{a=~\"b|c\"}[20s])) + 1", "# Second\nup == 1"];

        var classic = HttpUtility.ParseQueryString(Classic.Url(Prometheus, expressions).Query);
        var current = HttpUtility.ParseQueryString(Current.Url(Prometheus, expressions).Query);

        Assert.Equal("/classic/graph", Classic.Url(Prometheus, expressions).AbsolutePath);
        Assert.Equal("/query", Current.Url(Prometheus, expressions).AbsolutePath);
        Assert.Equal(expressions[0], classic["g0.expr"]);
        Assert.Equal(expressions[1], classic["g1.expr"]);
        Assert.Equal(expressions[1], current["g1.expr"]);
        Assert.Equal("0", classic["g1.tab"]);
        Assert.Equal("graph", current["g0.tab"]);
        Assert.Equal(PrometheusGraphPage.Range, classic["g1.range_input"]);
    }

    [Fact]
    public void Classic_pages_hold_at_most_ten_graphs_and_never_split_a_panel()
    {
        IReadOnlyList<IReadOnlyList<string>> panels = [.. Enumerable.Range(0, 9).Select(i => (IReadOnlyList<string>)[$"p{i}"]), ["p9a", "p9b"], ["p10"]];

        var pages = Classic.Split(panels);

        Assert.Equal([9, 3], pages.Select(p => p.Count));
        Assert.Equal(["p9a", "p9b", "p10"], pages[1]);
        Assert.Single(Current.Split(panels));
        Assert.Equal(panels.SelectMany(p => p), Classic.Split(panels).SelectMany(p => p));
    }

    [Theory]
    [InlineData("prometheus, version 2.42.0+ds (branch: debian/sid, revision: 2.42.0+ds-5+deb12u1)", 2, "/classic/alerts")]
    [InlineData("prometheus, version 3.5.0 (branch: HEAD, revision: 8be3a9560fbdd18a94dedec4b747c35178177202)", 3, "/alerts")]
    public void The_page_follows_the_prometheus_version(string versionText, int major, string alerts)
    {
        var page = PrometheusGraphPage.FromVersionText(versionText);

        Assert.Equal(major, page?.MajorVersion);
        Assert.Equal(alerts, page?.AlertsPath);
        Assert.Equal(3, PrometheusGraphPage.OfImageTag(ContainerImages.PrometheusTag).MajorVersion);
    }

    [Fact]
    public void A_file_that_is_not_a_dashboard_stops_the_apphost_with_its_name()
    {
        using var folder = new TempDirectory("not-a-dashboard");
        var file = Path.Combine(folder.Path, "broken.json");
        File.WriteAllText(file, "{ \"panels\": [ { \"title\": ");

        var problem = Assert.Throws<SandboxSetupException>(() => GrafanaDashboard.LoadAll(folder.Path));

        Assert.Contains(file, problem.Message, StringComparison.Ordinal);
    }
}
